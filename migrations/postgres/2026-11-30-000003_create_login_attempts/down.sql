COMMENT ON COLUMN users.failed_logins IS NULL;
COMMENT ON COLUMN users.locked_until IS NULL;
DROP TABLE address_attempts;
DROP TABLE login_attempts;
