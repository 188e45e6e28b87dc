package secretsmanager

// QueuedParts returns how many parts wait in the write queue of secret id
// or are in its write in flight (for tests of the group commit).
func QueuedParts(o *GroupOpener, id string) int {
	q := o.queue(id)
	q.mu.Lock()
	defer q.mu.Unlock()
	n := len(q.queue)
	if q.writing != nil {
		n += q.writing.parts
	}
	return n
}
