-- +goose Up
-- The only place an openid is kept in clear: bound staff.
CREATE TABLE wechat_bindings (
    person_id  INTEGER  NOT NULL PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    openid     TEXT     NOT NULL UNIQUE,
    active     BOOLEAN  NOT NULL DEFAULT TRUE,
    bound_at   DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE wechat_bindings;
