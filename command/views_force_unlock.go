package command

// lockRemoved says that force-unlock removed the lock id of the state at
// where.
func (v *view) lockRemoved(id, where string) {
	v.printf("The lock %s has been removed; %s is unlocked.\n", id, where)
}
