package itcare

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

const postgresqlPath = "/databases/postgresql"

func postgresqlItemPath(id int64) string {
	return postgresqlPath + "/" + strconv.FormatInt(id, 10)
}

// CreatePostgreSQL sends POST /databases/postgresql and returns the action
// that builds the instance. The action's InternalID is the new instance's
// id; when it is zero, or when the action is nil (ITCare accepted the
// request without naming an action and none is in progress for the name),
// the caller finds the instance with FindPostgreSQLByName. The request is
// never re-sent once it may have reached ITCare; an *UnknownOutcomeError
// says so, and the same lookup by name settles it. Any other error means
// no instance was created (see the package doc for the kinds).
func (c *Client) CreatePostgreSQL(ctx context.Context, req CreatePostgreSQLRequest) (*Action, error) {
	c.secrets.add(req.AdmPassword)
	k := call{method: http.MethodPost, path: postgresqlPath, body: req, redact: []string{req.AdmPassword}}
	res, err := c.do(ctx, k)
	if err != nil {
		return nil, err
	}
	return c.acceptedAction(ctx, k, res, ActionFilter{ResourceName: req.Name})
}

// GetPostgreSQL sends GET /databases/postgresql/{id}. A deleted or unknown
// instance gives an error for which IsNotFound is true; a 404 that is not
// the API's own gives an *EndpointError.
func (c *Client) GetPostgreSQL(ctx context.Context, id int64) (*PostgreSQL, error) {
	var p PostgreSQL
	if err := c.getJSON(ctx, postgresqlItemPath(id), nil, &p); err != nil {
		return nil, err
	}
	// null or {} decode without error into an empty instance, which the
	// provider would store as an instance whose every field was cleared.
	if p.ID == 0 {
		return nil, fmt.Errorf("GET %s: the answer is not an instance (no id)", postgresqlItemPath(id))
	}
	return &p, nil
}

// FindPostgreSQLByName sends GET /databases/postgresql?name=<name> and
// returns the instances named name. The answer may be a JSON array or a
// page envelope; every page is read. The API may filter by substring, so
// only names equal to name are kept, ignoring ASCII case as host names do
// (instance names are host names).
func (c *Client) FindPostgreSQLByName(ctx context.Context, name string) ([]PostgreSQL, error) {
	all, err := listAll(ctx, c, postgresqlPath, url.Values{"name": {name}}, func(p PostgreSQL) int64 { return p.ID })
	if err != nil {
		return nil, err
	}
	var out []PostgreSQL
	for _, p := range all {
		if sameName(p.Name, name) {
			out = append(out, p)
		}
	}
	return out, nil
}

// ListPostgreSQL sends GET /databases/postgresql without a filter and
// returns every instance the account can see, reading every page. The
// reference page does not document this collection GET (the package doc
// lists it among the assumptions): an API without it answers an error,
// typically a 405 (*APIError) or an *EndpointError.
func (c *Client) ListPostgreSQL(ctx context.Context) ([]PostgreSQL, error) {
	return listAll(ctx, c, postgresqlPath, nil, func(p PostgreSQL) int64 { return p.ID })
}

// sameName compares names as host names: ASCII letters ignore case, any
// other character must be equal. strings.EqualFold would also take the
// Kelvin sign for a "k" or "ſ" for an "s".
func sameName(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// DeletePostgreSQL sends DELETE /databases/postgresql/{id} and returns the
// action that removes the instance (nil if ITCare deleted it synchronously).
// A 404 of the API gives an error for which IsNotFound is true: the
// instance is gone. An *UnknownOutcomeError means every attempt may have
// reached ITCare without an answer.
func (c *Client) DeletePostgreSQL(ctx context.Context, id int64) (*Action, error) {
	k := call{method: http.MethodDelete, path: postgresqlItemPath(id)}
	res, err := c.do(ctx, k)
	if err != nil {
		return nil, err
	}
	return c.acceptedAction(ctx, k, res, ActionFilter{ResourceID: id})
}

// PatchPostgreSQL sends PATCH /databases/postgresql/{id}. The returned
// action is nil when the API completed the operation synchronously
// (update_patch_party may answer 200 without an action). It is never
// re-sent once it may have reached ITCare: an *UnknownOutcomeError says
// so; any other error means the operation was not applied.
func (c *Client) PatchPostgreSQL(ctx context.Context, id int64, op Operation) (*Action, error) {
	k := call{method: http.MethodPatch, path: postgresqlItemPath(id), body: op}
	res, err := c.do(ctx, k)
	if err != nil {
		return nil, err
	}
	return c.acceptedAction(ctx, k, res, ActionFilter{ResourceID: id})
}

// GetPostgreSQLDatabases sends GET /databases/postgresql/{id}/databases.
func (c *Client) GetPostgreSQLDatabases(ctx context.Context, id int64) ([]Database, error) {
	var out []Database
	return out, c.getJSON(ctx, postgresqlItemPath(id)+"/databases", nil, &out)
}

// GetPostgreSQLExtensions sends GET /databases/postgresql/{id}/extensions.
func (c *Client) GetPostgreSQLExtensions(ctx context.Context, id int64) ([]Extension, error) {
	var out []Extension
	return out, c.getJSON(ctx, postgresqlItemPath(id)+"/extensions", nil, &out)
}

// GetPostgreSQLNetworks sends GET /databases/postgresql/{id}/networks.
func (c *Client) GetPostgreSQLNetworks(ctx context.Context, id int64) ([]Network, error) {
	var out []Network
	return out, c.getJSON(ctx, postgresqlItemPath(id)+"/networks", nil, &out)
}

// GetPostgreSQLNodes sends GET /databases/postgresql/{id}/nodes.
func (c *Client) GetPostgreSQLNodes(ctx context.Context, id int64) ([]Node, error) {
	var out []Node
	return out, c.getJSON(ctx, postgresqlItemPath(id)+"/nodes", nil, &out)
}

// GetPostgreSQLVersions sends GET /databases/postgresql/{id}/versions: the
// major versions the instance can be upgraded to.
func (c *Client) GetPostgreSQLVersions(ctx context.Context, id int64) ([]int64, error) {
	var raw []versionNumber
	if err := c.getJSON(ctx, postgresqlItemPath(id)+"/versions", nil, &raw); err != nil {
		return nil, err
	}
	out := make([]int64, len(raw))
	for i, v := range raw {
		out[i] = int64(v)
	}
	return out, nil
}

// versionNumber is documented as an int64 but accepted as a numeric string
// too, since the create request carries the version as a string.
type versionNumber int64

func (v *versionNumber) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(bytes.TrimSpace(b), `"`))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("itcare: version %s is not an integer", b)
	}
	*v = versionNumber(n)
	return nil
}

// maxPages bounds a paged listing, so that a server that ignores the page
// parameter cannot keep the client looping.
const maxPages = 100

// page is the Spring page envelope some list endpoints answer with.
type page[T any] struct {
	Content    *[]T  `json:"content"`
	Last       *bool `json:"last"`
	TotalPages int   `json:"totalPages"`
}

// listAll reads a list answered as a bare array or as page envelopes. Pages
// are 0-based: the first request carries no page parameter (Spring's default
// is page 0), the next ones page=1, 2, … until the last one.
func listAll[T any](ctx context.Context, c *Client, path string, query url.Values, id func(T) int64) ([]T, error) {
	q := url.Values{}
	for key, v := range query {
		q[key] = v
	}
	var out []T
	seen := map[int64]bool{}
	for n := 0; n < maxPages; n++ {
		if n > 0 {
			q.Set("page", strconv.Itoa(n))
		}
		k := call{method: http.MethodGet, path: path, query: q}
		res, err := c.do(ctx, k)
		if err != nil && n == 0 {
			return nil, notOffered(err)
		}
		if err != nil {
			return nil, err
		}
		items, env, err := decodeList[T](res.body)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", k.method, k.target(), err)
		}
		if env == nil {
			return items, nil
		}
		added := 0
		for _, it := range items {
			if key := id(it); !seen[key] {
				seen[key] = true
				out = append(out, it)
				added++
			}
		}
		if added == 0 || (env.Last != nil && *env.Last) || (env.TotalPages > 0 && n+1 >= env.TotalPages) {
			return out, nil
		}
	}
	return nil, fmt.Errorf("GET %s: more than %d pages", path, maxPages)
}

// decodeList decodes a bare array (env is nil) or a page envelope.
func decodeList[T any](body []byte) (items []T, env *page[T], err error) {
	b := bytes.TrimSpace(body)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		return nil, nil, nil
	case b[0] == '[':
		if err := json.Unmarshal(b, &items); err != nil {
			return nil, nil, fmt.Errorf("cannot decode the answer: %w", err)
		}
		return items, nil, nil
	case b[0] == '{':
		env = &page[T]{}
		if err := json.Unmarshal(b, env); err != nil {
			return nil, nil, fmt.Errorf("cannot decode the answer: %w", err)
		}
		if env.Content == nil {
			return nil, nil, fmt.Errorf("the answer is neither a list nor a page (no \"content\")")
		}
		return *env.Content, env, nil
	}
	return nil, nil, fmt.Errorf("the answer is neither a list nor a page")
}
