-- The CLI's and bench's database (IMAGE_AGENT_DATABASE_URL); LangGraph Server keeps its own
-- state in `postgres` (DATABASE_URI). The tables are created on first use.
CREATE DATABASE image_agent;
\connect image_agent
CREATE EXTENSION IF NOT EXISTS vector;
