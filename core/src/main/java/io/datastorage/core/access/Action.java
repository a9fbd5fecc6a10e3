package io.datastorage.core.access;

import io.datastorage.core.audit.AuditKind;

import java.util.Objects;

/**
 * What a caller asks to do, as authorization sees it. Every API endpoint maps to exactly one action
 * (README, "Authentication and authorization"): writing records of one kind, reading them back by
 * id or filters, searching them by meaning, or administering the service (reconciliation,
 * migration, integrity verification, retention and legal holds).
 */
public sealed interface Action {

    /** Reading records back: one by id, or a listing by filters. */
    Action READ = new Read();
    /** Semantic search. */
    Action SEARCH = new Search();
    /** The admin endpoints: reconcile, migration, integrity, retention, legal holds. */
    Action ADMIN = new Admin();

    /** Writing records of {@code kind}. */
    static Action write(AuditKind kind) {
        return new Write(kind);
    }

    /** The action's name in policies and answers: {@code write:<kind path name>}, {@code read}, {@code search}, {@code admin}. */
    String wireName();

    /** Writing (POST, single or batch) records of one kind. */
    record Write(AuditKind kind) implements Action {
        public Write {
            Objects.requireNonNull(kind, "kind");
        }

        @Override
        public String wireName() {
            return "write:" + kind.pathName();
        }
    }

    /** See {@link #READ}. */
    record Read() implements Action {
        @Override
        public String wireName() {
            return "read";
        }
    }

    /** See {@link #SEARCH}. */
    record Search() implements Action {
        @Override
        public String wireName() {
            return "search";
        }
    }

    /** See {@link #ADMIN}. */
    record Admin() implements Action {
        @Override
        public String wireName() {
            return "admin";
        }
    }
}
