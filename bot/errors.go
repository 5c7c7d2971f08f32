package bot

import "errors"

// Domain errors. Storage and state implementations translate their drivers'
// errors into these at their boundary; transports map them to replies or
// statuses in one place each.
var (
	// ErrNotFound means the thing asked for does not exist (or has expired).
	ErrNotFound = errors.New("not found")
	// ErrConflict means the write collides with existing data: a unique key
	// already taken, a lock already held, a message already processed.
	ErrConflict = errors.New("conflict")
	// ErrInvalid means the input breaks a rule of the domain.
	ErrInvalid = errors.New("invalid")
	// ErrUnavailable means a dependency (database, state store, WeChat API)
	// could not be reached; the operation may succeed if tried again.
	ErrUnavailable = errors.New("unavailable")
	// ErrOutsideWindow means WeChat refused a customer-service message because
	// the user has not written within the last 48 hours (errcode 45015).
	ErrOutsideWindow = errors.New("outside the customer-service window")
	// ErrNotFollowing means the user does not follow the account (errcode 43004).
	ErrNotFollowing = errors.New("user does not follow the account")
)
