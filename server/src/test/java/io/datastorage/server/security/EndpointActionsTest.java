package io.datastorage.server.security;

import io.datastorage.core.access.Action;
import io.datastorage.core.audit.AuditKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Every endpoint of the API maps to the action of the design's table; anything else to none. */
class EndpointActionsTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "POST,/api/v1/audit/remediation,write:remediation",
            "POST,/api/v1/audit/aianalysis/batch,write:aianalysis",
            "POST,/api/v1/audit/workflow,write:workflow",
            "POST,/api/v1/audit/execution/batch,write:execution",
            "GET,/api/v1/audit,read",
            "GET,/api/v1/audit/remediation,read",
            "GET,/api/v1/audit/remediation/0b8e4c1a-0000-4000-8000-000000000000,read",
            "HEAD,/api/v1/audit/workflow,read",
            "POST,/api/v1/audit/search,search",
            "GET,/api/v1/admin/reconcile,admin",
            "POST,/api/v1/admin/reconcile,admin",
            "PUT,/api/v1/admin/migration/phase,admin",
            "GET,/api/v1/admin/migration/records/remediation/x,admin",
            "POST,/api/v1/admin/migration/backfill,admin",
            "POST,/api/v1/admin/migration/validate,admin",
            "POST,/api/v1/admin/integrity/verify,admin",
            "DELETE,/api/v1/admin/legal-holds/1,admin",
            "GET,/api/v1/admin,admin"})
    void mapsEachEndpointToItsAction(String method, String path, String action) {
        assertThat(EndpointActions.of(method, path)).map(Action::wireName).hasValue(action);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "POST,/api/v1/audit/nosuchkind",          // the API's 400 for an unknown kind
            "POST,/api/v1/audit/nosuchkind/batch",
            "POST,/api/v1/audit",                     // 405
            "DELETE,/api/v1/audit/remediation/x",     // 405
            "PUT,/api/v1/audit/remediation",          // 405
            "POST,/api/v1/audit/remediation/x/y",     // 404
            "GET,/api/v1/audit/remediation/x/y",      // 404
            "GET,/api/v1/auditx",                     // 404
            "GET,/api/v1/adminx",                     // 404
            "GET,/healthz",
            "GET,/api/v1/openapi.yaml"})
    void anythingElseMapsToNoAction(String method, String path) {
        assertThat(EndpointActions.of(method, path)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"remediation", "aianalysis", "workflow", "execution"})
    void everyKindHasItsWriteAction(String kind) {
        assertThat(EndpointActions.of("POST", "/api/v1/audit/" + kind))
                .hasValue(Action.write(AuditKind.fromPathName(kind).orElseThrow()));
    }
}
