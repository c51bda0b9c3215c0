package pg

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The roles the local stack creates: functions connect as AppRole, which
// owns nothing; migrations run as OwnerRole, which owns every schema and
// table. Neither is a superuser, so neither can set
// session_replication_role (which would silence the ledger's append-only
// triggers); only the owner could disable a trigger, and the owner's URL is
// used for migrations only.
const (
	OwnerRole = "nemrefusion_owner"
	AppRole   = "nemrefusion_app"
)

// Roles are the two URLs EnsureRoles hands out: the same server and
// database as the administrator's URL, with the user swapped.
type Roles struct {
	// OwnerURL connects as OwnerRole: give it to functions as
	// MIGRATION_DATABASE_URL.
	OwnerURL string
	// AppURL connects as AppRole: give it to functions as DATABASE_URL.
	AppURL string
}

// EnsureRoles creates OwnerRole and AppRole (LOGIN, no superuser, no
// password: the local server trusts local connections) when missing, lets
// them connect to the database of adminURL (the owner may create schemas
// in it), and makes OwnerRole the owner of every schema, table, sequence
// and function already in it that another role (an earlier superuser
// start) created. adminURL must connect as a superuser; only the local
// stack and tests call this, a cluster creates its roles once by hand (see
// k8s/README.md). Any number of callers may run it at once, on the same or
// different databases of one server.
func EnsureRoles(ctx context.Context, adminURL string) (Roles, error) {
	// pgxpool's parser takes the pool_* parameters the URLs may carry.
	pcfg, err := pgxpool.ParseConfig(adminURL)
	if err != nil {
		return Roles{}, fmt.Errorf("pg: roles: parse database url: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, pcfg.ConnConfig)
	if err != nil {
		return Roles{}, fmt.Errorf("pg: roles: connect: %w", err)
	}
	defer conn.Close(context.Background())
	for _, role := range []string{OwnerRole, AppRole} {
		// CREATE ROLE has no IF NOT EXISTS, and two creators racing on the
		// cluster-wide catalog get duplicate_object or unique_violation.
		if _, err := conn.Exec(ctx, `DO $$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '`+role+`') THEN
    CREATE ROLE `+role+` LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END$$`); err != nil {
			return Roles{}, fmt.Errorf("pg: create role %s: %w", role, err)
		}
		var super, bypass bool
		if err := conn.QueryRow(ctx, `SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1`, role).Scan(&super, &bypass); err != nil {
			return Roles{}, fmt.Errorf("pg: role %s: %w", role, err)
		}
		if super || bypass {
			return Roles{}, fmt.Errorf("pg: role %s exists as a superuser or with BYPASSRLS; make it an ordinary role (ALTER ROLE %s NOSUPERUSER NOBYPASSRLS)", role, role)
		}
	}
	// GRANT and ALTER OWNER on one database's catalog rows race ("tuple
	// concurrently updated"); an advisory lock (per database) serialises them.
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockID("nemrefusion.roles")); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, adoptSQL)
		return err
	})
	if err != nil {
		return Roles{}, fmt.Errorf("pg: grant roles: %w", err)
	}
	owner, err := withUser(adminURL, OwnerRole)
	if err != nil {
		return Roles{}, err
	}
	app, err := withUser(adminURL, AppRole)
	if err != nil {
		return Roles{}, err
	}
	return Roles{OwnerURL: owner, AppURL: app}, nil
}

// adoptSQL grants the database to the roles and hands objects other roles
// made in non-system schemas to the owner (tables first: that moves their
// serial sequences along). An object dropped while the loop runs (tests
// drop their schemas) is skipped.
const adoptSQL = `DO $$
DECLARE r record;
BEGIN
  IF NOT has_database_privilege('` + OwnerRole + `', current_database(), 'CREATE') THEN
    EXECUTE format('GRANT CONNECT, CREATE, TEMPORARY ON DATABASE %I TO ` + OwnerRole + `', current_database());
  END IF;
  IF NOT has_database_privilege('` + AppRole + `', current_database(), 'CONNECT') THEN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO ` + AppRole + `', current_database());
  END IF;
  FOR r IN SELECT n.nspname FROM pg_namespace n
    WHERE n.nspowner <> '` + OwnerRole + `'::regrole AND n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'public') LOOP
    BEGIN
      EXECUTE format('ALTER SCHEMA %I OWNER TO ` + OwnerRole + `', r.nspname);
    EXCEPTION WHEN undefined_table OR undefined_object OR invalid_schema_name OR undefined_function OR feature_not_supported THEN NULL; -- dropped or made meanwhile
    END;
  END LOOP;
  FOR r IN SELECT format('%I.%I', n.nspname, c.relname) AS rel, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relowner <> '` + OwnerRole + `'::regrole AND n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'public')
      AND c.relkind IN ('r', 'p', 'v', 'm', 'f') LOOP
    BEGIN
      EXECUTE format('ALTER %s %s OWNER TO ` + OwnerRole + `', CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, r.rel);
    EXCEPTION WHEN undefined_table OR undefined_object OR invalid_schema_name OR undefined_function OR feature_not_supported THEN NULL; -- dropped or made meanwhile
    END;
  END LOOP;
  FOR r IN SELECT format('%I.%I', n.nspname, c.relname) AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relowner <> '` + OwnerRole + `'::regrole AND n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'public')
      AND c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')) LOOP
    BEGIN
      EXECUTE format('ALTER SEQUENCE %s OWNER TO ` + OwnerRole + `', r.rel);
    EXCEPTION WHEN undefined_table OR undefined_object OR invalid_schema_name OR undefined_function OR feature_not_supported THEN NULL; -- dropped or made meanwhile
    END;
  END LOOP;
  FOR r IN SELECT format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.proowner <> '` + OwnerRole + `'::regrole AND n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'public') LOOP
    BEGIN
      EXECUTE format('ALTER ROUTINE %s OWNER TO ` + OwnerRole + `', r.fn);
    EXCEPTION WHEN undefined_table OR undefined_object OR invalid_schema_name OR undefined_function OR feature_not_supported THEN NULL; -- dropped or made meanwhile
    END;
  END LOOP;
END$$`

// withUser returns u with its user (and password) replaced by user.
func withUser(u, user string) (string, error) {
	p, err := url.Parse(u)
	if err != nil {
		return "", fmt.Errorf("pg: database url: %w", err)
	}
	if p.Scheme != "postgres" && p.Scheme != "postgresql" {
		return "", errors.New("pg: database url is not a postgres:// URL")
	}
	p.User = url.User(user)
	return p.String(), nil
}

// UserOf returns the role a pool connects as.
func UserOf(pool *pgxpool.Pool) string { return pool.Config().ConnConfig.User }

// GrantApp lets role use what schema holds: USAGE on the schema,
// SELECT, INSERT, UPDATE and DELETE on its tables and the use of its
// sequences, but nothing on the migration bookkeeping (the goose_* tables)
// beyond SELECT. Call it with the owner's pool after migrating schema; it is
// idempotent, and concurrent callers take turns.
func GrantApp(ctx context.Context, owner *pgxpool.Pool, schema, role string) error {
	if !schemaName.MatchString(schema) {
		return fmt.Errorf("pg: invalid schema name %q", schema)
	}
	if !schemaName.MatchString(role) {
		return fmt.Errorf("pg: invalid role name %q", role)
	}
	return Grant(ctx, owner, []string{
		fmt.Sprintf(`GRANT USAGE ON SCHEMA %s TO %s`, schema, role),
		fmt.Sprintf(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %s TO %s`, schema, role),
		fmt.Sprintf(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %s TO %s`, schema, role),
		fmt.Sprintf(`DO $$DECLARE r record; BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = '%s' AND tablename LIKE 'goose\_%%' LOOP
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON %%I.%%I FROM %s', '%s', r.tablename);
  END LOOP;
END$$`, schema, role, schema),
	})
}

// Grant runs GRANT (or REVOKE) statements in one transaction under an
// advisory lock, so concurrent starts do not race on the catalog.
func Grant(ctx context.Context, owner *pgxpool.Pool, stmts []string) error {
	err := pgx.BeginFunc(ctx, owner, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockID("nemrefusion.grants")); err != nil {
			return err
		}
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("%.60s: %w", s, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pg: grant: %w", err)
	}
	return nil
}

// ValidRole reports whether role is a plain role name this package grants to.
func ValidRole(role string) bool { return schemaName.MatchString(role) }
