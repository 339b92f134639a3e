// Package emulator is a stateful, in-memory ITCare API for PostgreSQL: the
// OAuth2 token endpoint, every /itcare/databases/postgresql endpoint,
// /itcare/actions and /itcare/health, on one loopback port. It is the
// backend of the acceptance tests, of the demo and of anyone testing
// Terraform modules without an ITCare account.
//
// It is an independent reading of the ITCare documentation (the PostgreSQL
// reference page wins over every other note) and does not import the
// client package, so a misreading in either shows up as a failing test.
//
// Writes answer 202 with an action IN_PROGRESS; the action ends after
// Config.ActionDuration and only then does the instance change. Actions are
// settled lazily, under the one lock, whenever state is read, so the
// outcome never depends on timer scheduling.
//
// An admin API under /_emulator/ (no token, never under /itcare) seeds,
// changes and deletes instances out of band, injects faults, lists the
// request log and actions, expires tokens and changes settings.
//
// # Assumptions
//
// Where the documentation is silent the emulator does the following; the
// client keeps the same list.
//
// API conventions:
//   - Every 4xx/5xx answer carries the error body {status, errorCode,
//     errorDesc, errorMessage}; status is the Spring HttpStatus name.
//   - An unknown or deleted instance or action id answers 404, errorCode
//     NOT_FOUND; a non-numeric id answers 400 (errorDesc id).
//   - A POST/PATCH body with a non-JSON Content-Type answers 415; a missing
//     Content-Type is accepted.
//   - JSON scalars are coerced as Jackson does ("15" for 15, 15 for "15",
//     "true" for true); null is absent; unknown fields are ignored.
//   - Only the first broken rule is reported, in the order name, area,
//     nodeSizing, diskSize, admPassword, postgreVersion, serviceId,
//     networkId, topology, trigram, allowedReplicationLag, HA fields,
//     production reasons.
//   - GET /itcare/databases/postgresql?name=N answers a Spring page; name is
//     an exact match, and without it every instance is listed; page is
//     0-based, size defaults to 20 (max 2000).
//   - GET /itcare/actions answers a bare array, newest first; statuses may
//     be repeated or comma-separated; requestId matches the action id.
//   - Tokens are opaque; refresh_expires_in is 0 and no refresh token is
//     issued; wrong client credentials answer 401 unauthorized_client.
//   - Basic client credentials are form-decoded first (RFC 6749).
//   - Tokens are not persisted: a restarted emulator needs a new token.
//
// Create:
//   - A duplicate name answers 400 (errorDesc name).
//   - topology is accepted in any case and stored upper case.
//   - trigram must match ^[A-Za-z]{3}$ and is stored as sent.
//   - nodePrefix is 5–12 of A–Z and 0–9.
//   - allowedReplicationLag is optional; absent or 0 means 10.
//   - networkId's area must equal area (errorDesc networkId).
//   - HA needs tls present in the body and az among the area's zones.
//   - A standalone create accepts nodePrefix and az (the reference page's
//     own create example sends az with STANDALONE) and tls.
//   - Defaults: backupEnabled true, monitoringEnabled true,
//     monitoringAlerting true, onCallSupervision false,
//     replicationEnabled false, tls false, cloudId 1.
//   - On a PRODUCTION service, backupEnabled=false needs noBackupProdReason
//     and monitoringEnabled=false needs noMonitoringProdReason;
//     replication has no such rule.
//   - The admin password is checked, never stored, never read back.
//
// Read model:
//   - backupEnabled reads as backupStatus, replicationEnabled as
//     replicationStatus, onCallSupervision as monitoringOnCallEnabled,
//     monitoringEnabled as monitoringEnabled and monitoringRequested.
//   - version is the major ("15"); productVersion the latest community
//     minor ("15.13"); productCode deb12pgNN for every major.
//   - releasedAt, endOfSalesAt, endOfSupportAt and extendedSupportAt follow
//     the community calendar (release, a year before the last minor, the
//     last minor, a year after it) and change only with the version;
//     supportPhase is always STANDARD. internalResourceId is the id.
//   - backupPolicyDetails: a backed-up instance (backupEnabled) has a
//     DATABASE policy (dbBackupPolicyId, default PG-PITR-DAILY) daily at
//     22:00 Europe/Paris for 2 hours, and with serverBackupPolicyId a
//     SERVER policy weekly on Sunday at 01:00 for 4 hours. backups[i] is
//     the last backup of policies[i] (id: the instance id ×10 + i + 1, the
//     policy's type); the policy shows the same date and size. The first
//     backup is taken when the instance is created (when its create ends,
//     at once when seeded), then one at each scheduled start, whenever the
//     state is read after it, while backupStatus is true and the instance
//     is not CREATING, DELETING or in ERROR. backupLastDate is the start
//     of the backup; a later date set through the admin API stays until a
//     later scheduled one. backupSize is in bytes: the databases' size
//     (8 MiB a database, templates included), plus 2 GiB for a SERVER
//     backup.
//   - HA instances have 3 nodes (2 data nodes and 1 witness, all of the
//     instance's sizing); instanceCount equals nodeCount.
//   - Node names are nodePrefix01.. for HA, NAME01.. (name upper case)
//     otherwise; nodes are spread over the area's zones starting at az.
//   - A standalone's ipAddress is its node's; an HA's is a separate
//     virtual address; addresses are taken from .10 of the network.
//   - url is <name>.pg.cegedim.cloud:5432.
//   - A node's storageInformation, in GB: / (20, 14 free, ext4) and
//     /var/lib/postgresql (the instance's storage, 90% free, xfs).
//   - patchParty is next quarter's party: non-production on the second
//     Thursday of the quarter's second month, production 24 days later (a
//     Sunday); patchTag YYYY-Qn; patchGroup "1" for one node, null for HA.
//   - Unset optional values (exclusion fields, completedAt) are null.
//   - Every instance starts with database postgres holding plpgsql in
//     pg_catalog; every instance offers the same 14 extensions.
//   - GET …/versions is an int64 array of the supported majors above the
//     current one (empty on 17, the latest the catalogue offers).
//
// Statuses and actions:
//   - CREATING → ACTIVE; UPDATING → ACTIVE, STOPPED or the status before;
//     DELETING → gone (404).
//   - A failed create leaves the instance in ERROR, which only DELETE
//     accepts; a failed operation restores the previous status.
//   - A PATCH or DELETE while an action runs answers 409 ACTION_IN_PROGRESS
//     naming the action; a PATCH on an instance that is neither ACTIVE nor
//     STOPPED answers 409 INVALID_STATUS.
//   - Action ids start at 1200001; internalId is the instance id;
//     submittedBy is the client id; completedAt is submittedAt plus the
//     action duration.
//   - Actions outlive their instance.
//
// Operations:
//   - start on an ACTIVE or stop on a STOPPED instance is a no-op that
//     ends in SUCCESS.
//   - restore, enable_ha, install_extension and upgrade need an ACTIVE
//     instance (400, errorDesc status); the others also run on STOPPED.
//   - restore: problems with the source name sourceId; the source must be
//     another instance; stop is exactly BEFORE or AFTER; the window (14
//     days production, 7 otherwise) follows the source's service; a future
//     timestamp, or one before the source's creationTime, is refused; the
//     source's databases replace the destination's.
//   - enable_ha: errorDesc topology when already HA, version below 12;
//     allowedReplicationLag becomes replicationLag; patchGroup becomes null.
//   - update_monitoring: state and on_call are each optional, at least one
//     is required; an absent one keeps its value.
//   - update_patch_party answers 202 with an action already in SUCCESS and
//     applies at once; patchGroup is "1", "2" or "3"; excludedBy is the
//     client id and exclusionDate the time of the request, each time an
//     exclusion is sent; including clears the exclusion fields.
//   - install_extension needs version 15 or later (errorDesc version);
//     dbname is a lowercase identifier of at most 63 characters; a missing
//     database is created (with plpgsql); extensions go to schema public;
//     an installed one is skipped.
//   - upgrade: targetVersion may be a string or a number and must be in
//     GET …/versions.
//
// # Compatibility switches
//
// Config.Compat (itcare-emulator -compat) plays, for the silent points
// above, the other plausible readings, so that a client can be tested
// against each; compat.go defines the switches and the profiles (default,
// ids, sparse, shapes) that group them. Each changes /itcare answers only
// (never the state, the admin API, the token endpoint or a fault's
// answer):
//   - distinct-ids: internalResourceId is the id plus 100000000, and
//     internalId (202 bodies, actions) is that internalResourceId.
//   - no-list: GET /itcare/databases/postgresql answers 405, Allow: POST.
//   - no-actions-list: GET /itcare/actions answers 405 with an empty Allow.
//   - no-internal-id: 202 bodies and actions have no internalId key.
//   - status-spellings: ACTIVE reads RUNNING and STOPPED POWERED_OFF, on
//     instances and their nodes.
//   - spring-errors: error bodies are Spring Boot's default
//     {timestamp, status, error, message, path} (application/json).
//   - problem-errors: error bodies are RFC 9457 problems
//     (application/problem+json); exclusive with spring-errors.
//   - string-versions: GET …/versions is an array of strings.
//   - paged-lists: GET /itcare/actions answers a Spring page, and both
//     lists default to pages of 2.
//
// # The postgres backend
//
// With Config.Backend = BackendPostgres (itcare-emulator -backend
// postgres) every instance created through the API is a real PostgreSQL
// server, so that what a module chains to an instance (roles, databases,
// migrations, a smoke test) can be tested too. The API, its rules and its
// asynchrony are the same; these assumptions add to those above:
//   - create runs initdb and starts postgres on a free loopback port. The
//     superuser is the admin role itcare_admin (PostgresAdminRole), whose
//     password is admPassword, stored by the server as a SCRAM-SHA-256
//     verifier; TCP clients must give it (scram-sha-256 in pg_hba.conf).
//   - ipAddress is 127.0.0.1 (and the node's address, standalone) and url
//     is postgresql://itcare_admin@127.0.0.1:PORT/postgres.
//   - An action ends when its time is up and its real work is done,
//     whichever comes last; if the work fails, the action ends in ERROR
//     with the server's message. An action a fault fails or hangs does no
//     real work.
//   - GET …/databases lists the databases clients can connect to (not the
//     templates) in creation order, with the extensions of each, from the
//     catalogs; on a stopped server it answers the last list read.
//   - The databases' size (the sum of pg_database_size, templates
//     included) is read after an action's real work and on each GET
//     …/nodes: /var/lib/postgresql's free space is the storage minus that
//     size, rounded up to whole GB, and a backup has that size (plus 2 GiB
//     for a SERVER one). Seeded instances keep the in-memory layout.
//   - GET …/extensions is the emulator's catalogue restricted to what the
//     machine's PostgreSQL has (pg_available_extensions), at the machine's
//     versions; install_extension refuses (400, errorDesc
//     extensions_list) one the machine lacks.
//   - install_extension creates a missing database, then runs CREATE
//     EXTENSION IF NOT EXISTS … CASCADE in it (schema public unless the
//     extension fixes its own). Libraries that need
//     shared_preload_libraries are not preloaded.
//   - stop is a fast shutdown (connections are refused); start starts the
//     server again on the same port, or on another free one if something
//     took it (url follows).
//   - delete stops the server and removes its directory.
//   - restore is point-in-time recovery. Every server archives its WAL
//     (wal_level replica, archive_mode on, 1 MB segments) into
//     wal-archive/ in its directory, and create takes a base backup
//     (pg_basebackup) once the server runs. A restore makes the source
//     commit a transaction and switch to a new WAL segment, waits until
//     its archive holds it, then rebuilds the destination from a copy of
//     the source's base backup and archived WAL: recovery_target_time is
//     the timestamp (in UTC, to the microsecond), recovery_target_inclusive
//     is on for stop AFTER and off for BEFORE, and the server is promoted
//     once there. The destination keeps its port, TLS and admin password;
//     its archive and base backup start again from the restored state.
//   - A timestamp before the source's base backup restores the backup:
//     the state the server was created in (a creationTime set back out of
//     band is earlier than the server). For a source that was restored
//     itself, a timestamp before that restore ends in ERROR: the emulator
//     keeps no history from before it. A server of a kept data directory
//     that has no base backup (made by an earlier emulator) gets one at
//     the first restore from it: its history starts then.
//   - A restore takes seconds: two copies of a data directory (about
//     25 MB each) and the replay; the source's own actions wait while it
//     is read. If recovery fails the action ends in ERROR with
//     PostgreSQL's reason and the destination keeps its data. An archive
//     keeps every segment since its server was created or restored.
//   - tls = true makes a self-signed certificate (crypto/x509, valid for
//     127.0.0.1, ::1, localhost and NAME.pg.cegedim.cloud) and turns ssl
//     on; TCP clients must then use TLS (hostssl). tls = false turns ssl
//     off.
//   - In memory only: resize, enable_ha (an HA instance is one server),
//     update_monitoring, update_patch_party and upgrade (the server keeps
//     its binaries; the read model shows the new version). The binaries
//     are the machine's for the requested major when it has them
//     (/usr/lib/postgresql/NN/bin), else its newest; the read model keeps
//     the requested version.
//   - Instances seeded through the admin API stay in memory (no server);
//     changing one out of band changes its read model only; deleting one
//     out of band removes its server.
//   - Each server is small and fast, not durable: fsync, full_page_writes
//     and synchronous_commit off, shared_buffers 16MB, max_connections 20,
//     1 MB WAL segments.
//   - Servers run as the emulator's user; as root, as postgres (else
//     nobody), because PostgreSQL refuses root. The emulator reaches them
//     over a Unix socket in a directory only that account can enter.
//   - Close, and the command on SIGINT or SIGTERM, stops every server and
//     removes their data, unless Config.PGDataDir was given (the command
//     defaults it to STATE.pgdata with -state): then the data is kept and
//     the servers of ACTIVE instances start again with the emulator; an
//     action that was running ends in ERROR. On Linux a server whose
//     emulator dies without cleaning up gets an immediate shutdown.
//   - GET /_emulator/postgres lists the servers: port, process, data and
//     socket directories, and the certificate to trust (sslrootcert).
//
// # Files
//
// The API: server.go (configuration, listener, the request's way through
// faults, authentication and routing), response.go (answers), auth.go
// (tokens), api_postgresql.go and api_actions.go (the /itcare handlers),
// compat.go (the compatibility switches and how they shape answers).
// Its rules: validate.go and validate_rules.go (create, a table of field
// rules), validate_operations.go (PATCH), fields.go (Jackson-like JSON
// coercion), apierror.go (the error body). Its state: model.go (the read
// model), catalogue.go (versions, extensions, services, networks),
// instances.go (new instances and their nodes), views.go (networks and
// nodes as GET shows them), actions.go (asynchronous actions), state.go
// (the state file). The rest: admin.go and admin_instances.go (the admin
// API and its Go equivalents), faults.go, reqlog.go (the request log),
// backend.go and backend_postgres.go (the postgres backend, which maps
// instances and actions onto package pgcluster; pgcluster runs the
// servers and knows nothing of the API).
package emulator
