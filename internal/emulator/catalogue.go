package emulator

import (
	"fmt"
	"net/http"
	"net/netip"
	"sort"
	"strings"
)

// majorInfo describes a supported major version.
type majorInfo struct {
	minor        string
	releasedAt   string
	endOfSales   string
	endOfSupport string
	extended     string
}

// majors are the supported PostgreSQL major versions; dates follow the
// community release and end-of-life calendar.
var majors = map[int]majorInfo{
	10: {"10.23", "2017-10-05", "2021-11-11", "2022-11-10", "2023-11-09"},
	11: {"11.22", "2018-10-18", "2022-11-10", "2023-11-09", "2024-11-14"},
	12: {"12.22", "2019-10-03", "2023-11-09", "2024-11-21", "2025-11-13"},
	13: {"13.21", "2020-09-24", "2024-11-14", "2025-11-13", "2026-11-12"},
	14: {"14.18", "2021-09-30", "2025-11-13", "2026-11-12", "2027-11-11"},
	15: {"15.13", "2022-10-13", "2026-11-12", "2027-11-11", "2028-11-09"},
	16: {"16.9", "2023-09-14", "2027-11-11", "2028-11-09", "2029-11-08"},
	17: {"17.5", "2024-09-26", "2028-11-09", "2029-11-08", "2030-11-14"},
}

const minMajor, maxMajor = 10, 17

func dateAt(day string) string { return day + "T00:00:00.000Z" }

// availableVersions are the upgrade targets: supported majors above the
// current one.
func availableVersions(current int) []int64 {
	out := []int64{}
	for v := current + 1; v <= maxMajor; v++ {
		out = append(out, int64(v))
	}
	return out
}

// extensionCatalogue is what every instance offers for install_extension.
var extensionCatalogue = []Extension{
	{Name: "plpgsql", Version: "1.0", Comment: "PL/pgSQL procedural language", Link: "https://www.postgresql.org/docs/current/plpgsql.html"},
	{Name: "pg_stat_statements", Version: "1.10", Comment: "track planning and execution statistics of all SQL statements executed", Link: "https://www.postgresql.org/docs/current/pgstatstatements.html"},
	{Name: "pgcrypto", Version: "1.3", Comment: "cryptographic functions", Link: "https://www.postgresql.org/docs/current/pgcrypto.html"},
	{Name: "uuid-ossp", Version: "1.1", Comment: "generate universally unique identifiers (UUIDs)", Link: "https://www.postgresql.org/docs/current/uuid-ossp.html"},
	{Name: "hstore", Version: "1.8", Comment: "data type for storing sets of (key, value) pairs", Link: "https://www.postgresql.org/docs/current/hstore.html"},
	{Name: "pg_trgm", Version: "1.6", Comment: "text similarity measurement and index searching based on trigrams", Link: "https://www.postgresql.org/docs/current/pgtrgm.html"},
	{Name: "citext", Version: "1.6", Comment: "data type for case-insensitive character strings", Link: "https://www.postgresql.org/docs/current/citext.html"},
	{Name: "postgis", Version: "3.4.2", Comment: "PostGIS geometry and geography spatial types and functions", Link: "https://postgis.net/documentation/"},
	{Name: "btree_gin", Version: "1.3", Comment: "support for indexing common datatypes in GIN", Link: "https://www.postgresql.org/docs/current/btree-gin.html"},
	{Name: "btree_gist", Version: "1.7", Comment: "support for indexing common datatypes in GiST", Link: "https://www.postgresql.org/docs/current/btree-gist.html"},
	{Name: "unaccent", Version: "1.1", Comment: "text search dictionary that removes accents", Link: "https://www.postgresql.org/docs/current/unaccent.html"},
	{Name: "tablefunc", Version: "1.0", Comment: "functions that manipulate whole tables, including crosstab", Link: "https://www.postgresql.org/docs/current/tablefunc.html"},
	{Name: "pgaudit", Version: "1.7", Comment: "provides auditing functionality", Link: "https://github.com/pgaudit/pgaudit", RequiresRestarting: true},
	{Name: "pg_cron", Version: "1.6", Comment: "job scheduler for PostgreSQL", Link: "https://github.com/citusdata/pg_cron", RequiresRestarting: true},
}

func findExtension(name string) (Extension, bool) {
	for _, e := range extensionCatalogue {
		if e.Name == name {
			return e, true
		}
	}
	return Extension{}, false
}

// defaultDatabases is what a fresh instance holds.
func defaultDatabases() []Database {
	return []Database{{Name: "postgres", Extensions: []DatabaseExtension{{Name: "plpgsql", Schema: "pg_catalog", Version: "1.0"}}}}
}

// seedCatalogue is the catalogue every emulator starts with.
func seedCatalogue() (map[int64]Service, map[int64]Network, map[string]Area) {
	services := map[int64]Service{
		1001: {ID: 1001, Name: "demo", Environment: "DEVELOPMENT", Key: "DEMO"},
		1002: {ID: 1002, Name: "payments", Environment: "PRODUCTION", Key: "PAYMENTS"},
	}
	networks := map[int64]Network{
		2001: {ID: 2001, Area: "EB-QA", CIDR: "10.20.1.0/24", Region: "EB", Environment: "DEVELOPMENT", Description: "EB QA databases"},
		2002: {ID: 2002, Area: "EB-PROD", CIDR: "10.30.1.0/24", Region: "EB", Environment: "PRODUCTION", Description: "EB production databases"},
		2003: {ID: 2003, Area: "ET-QA", CIDR: "10.40.1.0/24", Region: "ET", Environment: "DEVELOPMENT", Description: "ET QA databases"},
	}
	areas := map[string]Area{
		"EB-QA":   {ID: "EB-QA", Region: "EB", Location: "Boulogne-Billancourt", Regulation: "HDS", Zones: []string{"EB-QA-A", "EB-QA-B"}, DataCenters: []string{"EB4", "EB5"}},
		"EB-PROD": {ID: "EB-PROD", Region: "EB", Location: "Boulogne-Billancourt", Regulation: "HDS", Zones: []string{"EB-PROD-A", "EB-PROD-B"}, DataCenters: []string{"EB4", "EB5"}},
		"ET-QA":   {ID: "ET-QA", Region: "ET", Location: "Labège", Regulation: "HDS", Zones: []string{"ET-QA-A", "ET-QA-B"}, DataCenters: []string{"ET1", "ET2"}},
	}
	return services, networks, areas
}

// newArea invents an area for a network added through the admin API in an
// area the catalogue does not know.
func newArea(id, region string) Area {
	if region == "" {
		region, _, _ = strings.Cut(id, "-")
	}
	return Area{ID: id, Region: region, Location: region, Regulation: "HDS",
		Zones: []string{id + "-A", id + "-B"}, DataCenters: []string{region + "1", region + "2"}}
}

func (a Area) dataCenter(zone string) string {
	for i, z := range a.Zones {
		if z == zone && i < len(a.DataCenters) {
			return a.DataCenters[i]
		}
	}
	return ""
}

func (a Area) hasZone(zone string) bool {
	for _, z := range a.Zones {
		if z == zone {
			return true
		}
	}
	return false
}

// hostIP returns the n-th address of a network.
func hostIP(cidr string, n int) string {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return ""
	}
	a := p.Masked().Addr()
	for range n {
		a = a.Next()
	}
	return a.String()
}

func cidrMask(cidr string) string {
	p, err := netip.ParsePrefix(cidr)
	if err != nil || !p.Addr().Is4() {
		return ""
	}
	bits := p.Bits()
	var m [4]byte
	for i := range 4 {
		for b := range 8 {
			if i*8+b < bits {
				m[i] |= 0x80 >> b
			}
		}
	}
	return netip.AddrFrom4(m).String()
}

func cidrSize(cidr string) int {
	p, err := netip.ParsePrefix(cidr)
	if err != nil || p.Bits() > 30 || !p.Addr().Is4() {
		return 0
	}
	return 1<<(32-p.Bits()) - 3
}

// Services returns the service catalogue.
func (s *Server) Services() []Service {
	s.mu.Lock()
	defer s.mu.Unlock()
	return byID(s.services, func(sv Service) int64 { return sv.ID })
}

// Networks returns the network catalogue.
func (s *Server) Networks() []Network {
	s.mu.Lock()
	defer s.mu.Unlock()
	return byID(s.networks, func(nw Network) int64 { return nw.ID })
}

// byID lists a catalogue in id order, for stable listings.
func byID[V any](m map[int64]V, id func(V) int64) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return id(out[i]) < id(out[j]) })
	return out
}

// claimID gives a new catalogue entry without an id the next free one
// (first, or the next after the highest taken), and refuses one whose id
// is taken.
func claimID[V any](m map[int64]V, id *int64, first int64, what string) *APIError {
	if *id != 0 {
		if _, dup := m[*id]; dup {
			return apiErr(http.StatusConflict, "ALREADY_EXISTS", "id", fmt.Sprintf("%s %d already exists", what, *id))
		}
		return nil
	}
	*id = first
	for taken := range m {
		*id = max(*id, taken+1)
	}
	return nil
}

// AddService adds a service to the catalogue; a zero ID takes the next
// free one. The environment defaults to DEVELOPMENT.
func (s *Server) AddService(sv Service) (Service, error) {
	s.mu.Lock()
	defer s.unlock()
	if strings.TrimSpace(sv.Name) == "" {
		return Service{}, fieldErr("name", "is required")
	}
	if sv.Environment == "" {
		sv.Environment = "DEVELOPMENT"
	}
	sv.Environment = strings.ToUpper(sv.Environment)
	if sv.Key == "" {
		sv.Key = strings.ToUpper(sv.Name)
	}
	if e := claimID(s.services, &sv.ID, 1001, "service"); e != nil {
		return Service{}, e
	}
	s.services[sv.ID] = sv
	s.dirty = true
	return sv, nil
}

// AddNetwork adds a network to the catalogue; a zero ID takes the next
// free one. An unknown area is created with zones <area>-A and <area>-B.
func (s *Server) AddNetwork(nw Network) (Network, error) {
	s.mu.Lock()
	defer s.unlock()
	if nw.Area == "" {
		return Network{}, fieldErr("area", "is required")
	}
	p, err := netip.ParsePrefix(nw.CIDR)
	if err != nil || !p.Addr().Is4() || p.Bits() > 28 {
		return Network{}, fieldErr("cidr", "must be an IPv4 prefix of /28 or wider, such as 10.50.1.0/24")
	}
	a, known := s.areas[nw.Area]
	if !known {
		a = newArea(nw.Area, nw.Region)
		s.areas[a.ID] = a
	}
	if nw.Region == "" {
		nw.Region = a.Region
	}
	if nw.Environment == "" {
		nw.Environment = "DEVELOPMENT"
	}
	if e := claimID(s.networks, &nw.ID, 2001, "network"); e != nil {
		return Network{}, e
	}
	s.networks[nw.ID] = nw
	s.dirty = true
	return nw, nil
}
