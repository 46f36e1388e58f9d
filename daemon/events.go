package daemon

import (
	"os"

	"github.com/eddns/eddns/events"
	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/reconciler"
)

// newEmitter builds the events emitter: ubus at ubusPath(), scripts in
// /etc/hotplug.d/eddns or $EDDNS_HOTPLUG_DIR (tests).
func (d *daemon) newEmitter() *events.Emitter {
	return events.New(events.Options{Ubus: ubusPath(), HotplugDir: os.Getenv("EDDNS_HOTPLUG_DIR"), Log: d.log})
}

// needsPerson reports whether a failure is one that retrying will not fix
// (credentials, a missing zone, a conflicting record, a refused request):
// those are worth an event; network trouble and throttling retry on their own.
func needsPerson(k providers.Kind) bool {
	switch k {
	case providers.KindAuth, providers.KindPermanent, providers.KindNotFound, providers.KindConflict, providers.KindConfig:
		return true
	}
	return false
}

// emit tells the rest of the system about rep: every change of a record's
// published value, and the first failure of a streak that needs a person.
// old is what status.json showed as published before rep.
func (d *daemon) emit(rep reconciler.Report, old string) {
	if d.events == nil {
		return
	}
	r := rep.Record
	ev := events.Record{Section: r.Section, Name: r.FQDN(), Type: r.Type, Provider: r.Provider, Old: old, New: rep.Want.String()}
	res := rep.Result
	switch {
	case res.Outcome == reconciler.Created || res.Outcome == reconciler.Updated:
		if old == res.Value {
			return
		}
		ev.New, ev.Result = res.Value, res.Outcome.String()
	case res.Outcome == reconciler.Failed && rep.Failures == 1 && needsPerson(providers.KindOf(res.Err)):
		ev.Result, ev.Error = "failed", res.Err.Error()
	default:
		return
	}
	d.events.Emit(ev)
}

// published returns what status.json shows as published for key.
func (t *tracker) published(key string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if i, ok := t.idx[key]; ok {
		return t.st.Records[i].Published
	}
	return ""
}
