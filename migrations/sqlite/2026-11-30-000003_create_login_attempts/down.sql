DROP TABLE address_attempts;
DROP TABLE login_attempts;
