package probe

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

type jsonNumber = json.Number

const (
	shapeArray    = "bare array"
	shapeEnvelope = "page envelope"
)

// list is a collection read as the client reads one: a bare array, or a
// Spring page envelope read page by page until "last".
type list struct {
	first   *answer
	shape   string
	pages   int
	items   []map[string]any
	problem string // why the answer is not a list; empty when it is one
}

func (l *list) describe() string {
	if l.shape == shapeEnvelope {
		return fmt.Sprintf("%s (%s)", shapeEnvelope, plural(l.pages, "page"))
	}
	return l.shape
}

// list reads GET <api><p>?<q> and its further pages.
func (r *run) list(p string, q url.Values) *list {
	l := &list{}
	a := r.get(p, q)
	l.first = a
	seen := map[string]bool{}
	for page := 0; ; page++ {
		if !a.ok() {
			l.problem = a.brief()
			return l
		}
		v, err := a.decode()
		if err != nil {
			l.problem = fmt.Sprintf("%s that is not JSON: %s", a.brief(), excerpt(a.body, 60))
			return l
		}
		var content []any
		var env map[string]any
		switch x := v.(type) {
		case []any:
			l.shape = shapeArray
			content = x
		case map[string]any:
			c, ok := x["content"].([]any)
			if !ok {
				l.problem = "a JSON object that is not a page envelope: keys " + keys(x)
				return l
			}
			l.shape, l.pages, content, env = shapeEnvelope, l.pages+1, c, x
		default:
			l.problem = "JSON that is neither an array nor a page envelope: " + excerpt(a.body, 60)
			return l
		}
		fresh := 0
		for _, it := range content {
			obj, ok := it.(map[string]any)
			if !ok {
				continue
			}
			// A page that repeats an earlier one (a page parameter the
			// server ignores) ends the reading.
			if id := jsonText(obj["id"]); obj["id"] != nil {
				if seen[id] {
					continue
				}
				seen[id] = true
			}
			fresh++
			l.items = append(l.items, obj)
		}
		if env == nil || fresh == 0 || l.pages >= maxPages {
			return l
		}
		if last, ok := env["last"].(bool); ok && last {
			return l
		}
		next := page + 1
		if n, ok := int64Of(env["number"]); ok {
			next = int(n) + 1
		}
		nq := cloneValues(q)
		nq.Set("page", strconv.Itoa(next))
		a = r.get(p, nq)
	}
}

// actionsView is the instance's actions: by resourceId, or by resourceName
// when that finds none, as the client looks for them.
type actionsView struct {
	byID, byName *list
	key          url.Values // the query that found the actions; nil if none did
	keyText      string
	own          []map[string]any
	foreign      int // actions of other resources the resourceId query answered
}

func (r *run) actions() *actionsView {
	if r.actionsV != nil {
		return r.actionsV
	}
	v := &actionsView{}
	r.actionsV = v
	byID := url.Values{"resourceId": {r.idText}}
	v.byID = r.list("/actions", byID)
	if v.byID.problem == "" {
		v.own, v.foreign = r.split(v.byID.items)
		if len(v.own) > 0 {
			v.key, v.keyText = byID, "resourceId="+r.idText
			return v
		}
	}
	if r.name == "" {
		return v
	}
	byName := url.Values{"resourceName": {r.name}}
	v.byName = r.list("/actions", byName)
	if v.byName.problem == "" {
		v.own, _ = r.split(v.byName.items)
		if len(v.own) > 0 {
			v.key, v.keyText = byName, "resourceName="+r.name
		}
	}
	return v
}

// split keeps the actions of the instance: those that name it, or name no
// resource. The others prove a filter was not applied.
func (r *run) split(items []map[string]any) (own []map[string]any, foreign int) {
	for _, it := range items {
		n, _ := it["resourceName"].(string)
		if r.name == "" || n == "" || strings.EqualFold(n, r.name) {
			own = append(own, it)
		} else {
			foreign++
		}
	}
	return own, foreign
}

// why says why no action of the instance was found.
func (v *actionsView) why() string {
	if v.byID.problem == "" || v.byName != nil && v.byName.problem == "" {
		return "no action for the instance"
	}
	l := v.byID
	if v.byName != nil {
		l = v.byName
	}
	if l.first.err == nil && l.first.status >= 400 {
		return fmt.Sprintf("no action list (%s)", l.first.brief())
	}
	return "no action list: " + l.problem
}

// note says when resourceId found nothing and resourceName did: the
// client's lookup by resourceId would miss the instance's actions.
func (v *actionsView) note() string {
	if v.byName != nil && v.key != nil {
		return fmt.Sprintf("; resourceId matched none, %s matched %d", v.keyText, len(v.own))
	}
	return ""
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// plural writes "1 page", "2 pages".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// jsonText writes a decoded JSON value back, for a SEEN cell.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return excerpt(b, 40)
}
