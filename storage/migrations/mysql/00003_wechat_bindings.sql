-- +goose Up
-- The only place an openid is kept in clear: bound staff.
CREATE TABLE wechat_bindings (
    person_id  BIGINT      NOT NULL,
    openid     VARCHAR(64) NOT NULL,
    active     BOOLEAN     NOT NULL DEFAULT TRUE,
    bound_at   DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    PRIMARY KEY (person_id),
    UNIQUE KEY ux_wechat_bindings_openid (openid),
    CONSTRAINT fk_wechat_bindings_person FOREIGN KEY (person_id) REFERENCES people (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- +goose Down
DROP TABLE wechat_bindings;
