package secretsmanager

// QueuedParts returns how many parts wait in the write queue of secret id
// (for tests of the group commit).
func QueuedParts(o *GroupOpener, id string) int {
	q := o.queue(id)
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.queue)
}
