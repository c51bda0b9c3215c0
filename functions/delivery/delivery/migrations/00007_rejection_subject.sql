-- +goose Up

-- A rejected submission's row in the sender's list shows which employee
-- and days it was about (blanket.rejected.v1's firstAbsenceDay and
-- lastAbsenceDay; its cpr goes to absence_persons).
ALTER TABLE rejections ADD COLUMN first_day text NOT NULL DEFAULT '', ADD COLUMN last_day text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE rejections DROP COLUMN first_day, DROP COLUMN last_day;
