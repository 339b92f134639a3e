package itcare

import "strings"

// StatusClass is what an instance status means to a caller: whether the
// instance runs, is stopped, is between two states, has failed, or says
// something the client does not know.
type StatusClass int

// The classes ClassifyStatus returns.
const (
	// StatusUnknown is a status the client does not recognise. Callers
	// report it rather than guess.
	StatusUnknown StatusClass = iota
	// StatusRunning is an instance that serves (ACTIVE on the reference
	// page's restore rules).
	StatusRunning
	// StatusStopped is an instance whose nodes are stopped.
	StatusStopped
	// StatusTransitional is an instance an action is changing.
	StatusTransitional
	// StatusFailed is an instance an action left broken.
	StatusFailed
)

// String names the class as the provider's messages do.
func (c StatusClass) String() string {
	switch c {
	case StatusRunning:
		return "running"
	case StatusStopped:
		return "stopped"
	case StatusTransitional:
		return "changing"
	case StatusFailed:
		return "failed"
	}
	return "unknown"
}

// statusWords spells each class in the words ITCare and similar APIs use,
// normalised by normaliseStatus. The reference page names ACTIVE only;
// the rest are readings of its silence (see the package doc).
var statusWords = map[string]StatusClass{
	"ACTIVE": StatusRunning, "RUNNING": StatusRunning, "STARTED": StatusRunning,
	"POWEREDON": StatusRunning, "ON": StatusRunning, "UP": StatusRunning, "AVAILABLE": StatusRunning,

	"STOPPED": StatusStopped, "POWEREDOFF": StatusStopped, "SHUTDOWN": StatusStopped,
	"SHUTOFF": StatusStopped, "OFF": StatusStopped, "HALTED": StatusStopped,

	"CREATING": StatusTransitional, "UPDATING": StatusTransitional, "DELETING": StatusTransitional,
	"STARTING": StatusTransitional, "STOPPING": StatusTransitional, "RESTORING": StatusTransitional,
	"UPGRADING": StatusTransitional, "RESIZING": StatusTransitional, "PENDING": StatusTransitional,
	"INPROGRESS": StatusTransitional, "PROVISIONING": StatusTransitional, "DEPLOYING": StatusTransitional,

	"ERROR": StatusFailed, "FAILED": StatusFailed,
}

// ClassifyStatus reads an instance status in any of the spellings above,
// ignoring case, spaces, hyphens and underscores ("POWERED_OFF",
// "Powered off" and "poweredOff" are all stopped). Anything else is
// StatusUnknown.
func ClassifyStatus(status string) StatusClass {
	return statusWords[normaliseStatus(status)]
}

// IsDeleting reports whether status says the instance is being deleted.
func IsDeleting(status string) bool { return normaliseStatus(status) == "DELETING" }

func normaliseStatus(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '_' || r == '-':
			return -1
		case 'a' <= r && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, strings.TrimSpace(s))
}
