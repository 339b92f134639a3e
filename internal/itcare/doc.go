// Package itcare is a client for the cegedim.cloud ITCare API, limited to
// what the Terraform provider needs: OAuth2 client credentials, retries,
// typed errors, the PostgreSQL endpoints and the action waiter.
//
// A write (CreatePostgreSQL, PatchPostgreSQL, DeletePostgreSQL) that fails
// returns one of these, and only the last leaves open whether ITCare
// applied it, so IsUnknownOutcome is the one test a caller needs:
//
//   - an *APIError: the API answered with an error status;
//   - an *EndpointError: a 404 that is not the API's (see below);
//   - an *AuthError: no token could be had, the request was not sent;
//   - a connection error for a request that provably never left (no
//     connection could be opened), after the retries;
//   - an error wrapping ctx.Err() when ctx ended before the request left,
//     or at any time for a DELETE (it is safe to send again);
//   - an *UnknownOutcomeError for any failure after the request may have
//     left: a dropped or reset connection, an attempt timeout, ctx ending
//     during a create or an operation (it wraps ctx.Err() then), a gateway
//     502/503/504, a 2xx whose body is cut short or is not JSON, a 202
//     whose action cannot be found. For a DELETE, only when every attempt
//     ended so.
//
// Where the API documentation is silent, the client assumes the following.
// Each entry says what the client does when the assumption turns out
// wrong (its fallback) and which row of the read-only probe
// (cmd/itcare-probe) checks it against a real account; the emulator's
// -compat switches play the alternatives.
//
//   - A 404 on an instance or an action id means it does not exist (a
//     deleted instance is gone; DELETE answering 404 means already deleted)
//     only when it is the API's own answer. A web page (text/html, or a
//     body starting with "<") never is: it comes from a gateway. Any other
//     404 (the documented JSON, Spring's default body, an empty body, plain
//     text) is the API's once the base URL is proven: by a JSON 2xx from
//     under it, or else by GET <api_url>/health (the documented health
//     check) answering 2xx, made once per client and kept once it
//     succeeded. A body alone proves nothing, since a gateway or another
//     Spring service answers an unknown path with the same shapes. Every
//     other 404 is an *EndpointError, for which IsNotFound is false.
//     Fallback: if /health ever stops being served under the base URL,
//     a deleted instance whose 404 is the client's first answer reads as
//     an *EndpointError, never as gone; once the base is proven, a
//     gateway's non-HTML 404 would read as gone.
//     Probe rows: health, not-found.
//   - Right after a 202 an action id may not be readable yet: WaitForAction
//     tolerates 3 consecutive 404s. Fallback: a fourth fails the wait with
//     the action's id, and the provider records it to wait again on the
//     next run. Probe row: action-visible-after-202.
//   - A 202 body's "id" is the action id and "internalId" the id of the
//     instance it works on; for a create, the new instance's id. It is
//     taken only once GET …/{internalId} answers an instance of the
//     create's name (FindCreatedPostgreSQL), since the read model has both
//     "id" and "internalResourceId". Fallback: when it is no instance,
//     another one, or absent, the instance is looked up by name; where
//     ITCare lists no instances, through the internalId of the create's
//     actions in GET /actions; when nothing finds it, the create fails with
//     a *LookupError that says what each way answered, and is never sent
//     twice. Probe rows: instance-id, internal-id, action-internal-id.
//   - A 202 with an empty or id-less body: the action is the most recently
//     submitted IN_PROGRESS one of GET /actions?resourceName=<name> (create)
//     or ?resourceId=<id> (existing instance); none found gives a nil action.
//     Fallback: when the list is not served, the outcome is an
//     *UnknownOutcomeError, settled as a lost answer.
//     Probe row: write-answers.
//   - Any other 2xx to a write means the work is done (update_patch_party
//     may answer 200 or 202); its body counts as an action only if it has an
//     id and an action status. A 2xx body that is not JSON is an
//     *UnknownOutcomeError, never taken for "done". Fallback: none needed;
//     a read after the write shows what happened. Probe row: write-answers.
//   - GET /databases/postgresql?name=<name> lists instances by name, as a
//     bare array or a Spring page envelope; only names equal to <name>
//     (ignoring ASCII case, as for host names) are kept. Page envelopes are
//     0-based and read until "last" (at most 100 pages). The same rule
//     picks the action of a create in GET /actions?resourceName=<name>,
//     where an action without a resourceName is left to the server's
//     filter. Without ?name= the same GET lists every instance the account
//     sees (ListPostgreSQL, used only to sweep what acceptance tests left).
//     Fallback: a 404, 405 or 501 to a list's first page is a
//     *NotOfferedError (IsNotOffered): import and data sources by name then
//     say to use the id, a lost create answer is settled through
//     GET /actions, and the sweeper says to delete leftovers by id.
//     Probe row: list-by-name.
//   - GET /actions answers a bare array (an envelope is accepted too) and
//     takes several statuses as a repeated "statuses" parameter. Fallback:
//     when it is not served, waiting for the action a 409 names in its
//     message ("action <id>", ConflictingActionID), or else for the
//     instance's status to settle (WaitUntilSettled); an operation whose
//     answer was lost on an instance that is changing is recorded as an
//     action ITCare does not name, and waited for the same way.
//     Probe rows: actions-list, actions-statuses.
//   - Action statuses other than IN_PROGRESS, SUCCESS and ERROR mean the
//     action is still running (logged once per status). Fallback: the
//     wait's timeout ends it, naming the last status.
//     Probe row: action-status-words.
//   - Instance statuses: ACTIVE runs, STOPPED is stopped, CREATING,
//     UPDATING and DELETING are transitional, ERROR failed; the page names
//     only ACTIVE. Fallback: ClassifyStatus also reads other spellings
//     (RUNNING, POWERED_OFF, "Powered off", SHUTDOWN…, any case, spaces,
//     hyphens or underscores); a status it does not know is StatusUnknown,
//     which the provider reports in a warning rather than guesses.
//     Probe row: instance-status.
//   - The read model's "backupStatus" and "replicationStatus" report what
//     the create's "backupEnabled" and "replicationEnabled" asked for. The
//     provider compares a value set after creation with them; the other
//     create-only fields (policies, reasons, platform, region, regulation,
//     nodePrefix, az) are not read back, and are only recorded. Fallback:
//     a difference replaces the instance only under deletion protection's
//     guard. Probe row: backup-status.
//   - GET …/{id}/versions may answer numbers or numeric strings. Fallback:
//     anything else is an error naming the value. Probe row: versions.
//   - Error bodies may be empty, HTML, the documented shape, Spring's
//     default shape (numeric "status", "error", "message") or an RFC 9457
//     problem ("title", "detail"): read leniently, never required. 409 is
//     read from the HTTP status alone. Fallback: a body without any known
//     field is quoted as a short excerpt. Probe row: error-body.
//   - Dates come with "Z", "+hh:mm" or "+hhmm" offsets, with or without a
//     fraction; a date without an offset is UTC. Fallback: another format
//     is an error naming the field. Probe row: dates.
//   - 429 means the request was refused before any work, so even a create
//     is resent after it; Retry-After is seconds or an HTTP date. Fallback:
//     without Retry-After, the backoff's own wait. Probe row: rate-limit.
//   - 502, 503 and 504 come from a gateway that may have forwarded the
//     request: retried for GET and DELETE, an UnknownOutcomeError for a
//     create or an operation. 500 is the API's own answer: retried for GET
//     and DELETE only. Fallback: a write is never resent blindly; a lost
//     answer is settled by reading. Probe row: gateway-errors.
//   - The token endpoint is Keycloak's: an OAuth2 error ("error") or a 401
//     means it refused the client (AuthCredentials: client_id and
//     client_secret). A web page, a 404 or another status without an
//     OAuth2 error, a 2xx without a token, an unknown host or no connection
//     mean the token URL is wrong (AuthTokenURL). 429 and 5xx
//     (AuthUnavailable) and refused or cut connections are retried like
//     an API request. Tokens are renewed with a new client-credentials
//     grant (no refresh token, no scope), 60 s before "expires_in" runs
//     out. Fallback: a token without expires_in is used until the API
//     answers 401. Probe row: token.
//   - A 401 from the API means the token expired or was revoked: a new
//     token is fetched and the request sent once more. Fallback: a second
//     401 is returned as the API's *APIError. Probe row: api-401.
//   - The vendor media type is sent in Accept (with application/json as a
//     fallback) and as the POST Content-Type; PATCH bodies are
//     application/json, as the reference page shows. Fallback: answers in
//     either type are read. Probe row: media-type.
//   - The read model's lifecycle dates (releasedAt, endOfSalesAt,
//     endOfSupportAt, extendedSupportAt) are those of the instance's
//     PostgreSQL major version and change only with an upgrade;
//     internalResourceId never changes; patchParty's excludedBy and
//     exclusionDate change only with update_patch_party. The provider
//     keeps them across plans, "known after apply" only when such an
//     operation is planned. backupPolicyDetails changes by itself (each
//     backup moves its dates), so only the itcare_postgresql_backups data
//     source reads it. Fallback: a value that changes otherwise is
//     recorded by the next refresh, with no planned change. No probe
//     row: nothing read-only can show it.
//   - backupSize is in bytes; a node's storageInformation sizes (sizeOf,
//     free and the totals) are in GB, like storage. Fallback: the values
//     are passed on unconverted, so only the unit the docs name would be
//     wrong. No probe row: the answer carries no unit.
//   - The upgrade operation carries a changeReference, as the page's
//     example always does (only enable_ha's rules call it optional).
//     Fallback: the provider sends "terraform" when none is configured.
//     Probe row: change-reference.
package itcare
