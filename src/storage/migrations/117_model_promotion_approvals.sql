-- Promoting a model changes every decision, as activating a ruleset does: it becomes a four-eyes action too.
ALTER TABLE staff_approvals DROP CONSTRAINT IF EXISTS staff_approvals_action_check;
ALTER TABLE staff_approvals ADD CONSTRAINT staff_approvals_action_check
  CHECK (action IN ('case.confirm_fraud', 'ruleset.activate', 'model.promote'));
