package io.datastorage.core.audit;

import java.util.LinkedHashMap;
import java.util.Map;

/** Valid input for every kind, shared by the tests of every module; tests change one thing at a time. */
public final class AuditFixtures {
    private AuditFixtures() {
    }

    /** A valid record of the kind, as a JSON parser would hand it over, created at 2026-11-20T11:00:00Z. */
    public static Map<String, Object> valid(AuditKind kind) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "rr-1");
        body.put("namespace", "prod");
        body.put("phase", "Completed");
        body.put("createdAt", "2026-11-20T11:00:00Z");
        body.put("correlationId", "corr-1");
        switch (kind) {
            case REMEDIATION -> {
                body.put("signalType", "prometheus");
                body.put("signalName", "PodOOMKilled");
                body.put("signalNamespace", "prod");
                body.put("targetType", "Deployment");
                body.put("targetName", "api");
                body.put("targetNamespace", "prod");
            }
            case AI_ANALYSIS -> { }
            case WORKFLOW -> {
                body.put("workflowName", "restart");
                body.put("step", "scale-down");
            }
            case EXECUTION -> {
                body.put("targetType", "Pod");
                body.put("targetName", "api-1");
                body.put("targetNamespace", "prod");
                body.put("action", "delete-pod");
            }
        }
        return body;
    }

    /** A valid remediation with the given name and createdAt. */
    public static Map<String, Object> remediation(String name, String createdAt) {
        Map<String, Object> body = valid(AuditKind.REMEDIATION);
        body.put("name", name);
        body.put("createdAt", createdAt);
        body.put("correlationId", "corr-" + name);
        return body;
    }
}
