-- +goose Up
-- One bind code per staff member: a keyed hash to look it up, and the code
-- sealed with the server secret so that the list can be printed again.
CREATE TABLE bind_codes (
    person_id  BIGINT        NOT NULL,
    code_hash  VARCHAR(64)   NOT NULL,
    sealed     VARBINARY(96) NOT NULL,
    expires_at DATETIME(6)   NOT NULL,
    used_at    DATETIME(6)   NULL,
    created_at DATETIME(6)   NOT NULL,
    PRIMARY KEY (person_id),
    UNIQUE KEY ux_bind_codes_hash (code_hash),
    CONSTRAINT fk_bind_codes_person FOREIGN KEY (person_id) REFERENCES people (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE bind_codes;
