-- The web form's limits count each device (a hash of a random cookie) and each address (a
-- hash) apart: a ward's patients share one address.
ALTER TABLE feedback_items ADD COLUMN IF NOT EXISTS device TEXT;
CREATE INDEX IF NOT EXISTS feedback_items_by_device ON feedback_items (device, received_at);
