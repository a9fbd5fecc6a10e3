package io.datastorage.server.web;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidationException;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.FieldError;
import io.datastorage.core.migration.IllegalPhaseTransitionException;
import io.datastorage.core.migration.MigrationPhase;
import io.datastorage.core.migration.PhaseStore;
import io.datastorage.core.migration.StalePhaseVersionException;
import io.datastorage.server.migration.MigrationAdmin;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The migration's status and control: {@code GET /api/v1/admin/migration} (the status),
 * {@code PUT /api/v1/admin/migration/phase} (a compare-and-set move of the phase, one step at a
 * time, through the promotion gates: 412 {@code migration-gate-refused} with {@code refusals}, unless
 * {@code force} is true with a reason) and {@code GET /api/v1/admin/migration/records/{kind}/{id}} (one record as both stores hold
 * it). Without a legacy store ({@code datastorage.migration.legacy.type=none}) each answers 404
 * {@code migration-not-configured}. Who changed the phase is the request's remote address until
 * the API has callers with names.
 */
@RestController
@RequestMapping("/api/v1/admin/migration")
public class MigrationController {
    /** The largest body of a phase change; a real one is well under 2 KB. */
    static final long MAX_BODY = 16 * 1024;

    /** {@code null} without a legacy store. */
    private final MigrationAdmin admin;
    private final JsonBodies bodies;

    public MigrationController(ObjectProvider<MigrationAdmin> admin, JsonBodies bodies) {
        this.admin = admin.getIfAvailable();
        this.bodies = bodies;
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> status() {
        return admin().status();
    }

    @PutMapping(path = "/phase", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> changePhase(HttpServletRequest request) {
        MigrationAdmin migration = admin();
        Object tree = bodies.parse(bodies.read(request, MAX_BODY));
        if (!(tree instanceof Map<?, ?> body)) {
            throw invalid(List.of(new FieldError("", "must be a JSON object {phase, expectedVersion, reason, force}")));
        }
        List<FieldError> errors = new ArrayList<>();
        MigrationPhase phase = null;
        Object phaseValue = body.get("phase");
        if (phaseValue instanceof String name) {
            phase = Arrays.stream(MigrationPhase.values()).filter(p -> p.name().equals(name)).findFirst().orElse(null);
        }
        if (phase == null) {
            errors.add(new FieldError("phase", (phaseValue == null ? "is required, one of" : "must be one of")
                    + " " + Arrays.toString(MigrationPhase.values()) + " (in capitals)"
                    + (phaseValue instanceof String name ? ", was '" + shortened(name) + "'" : "")));
        }
        long expectedVersion = 0;
        BigDecimal version = body.get("expectedVersion") instanceof Number number && isWhole(number)
                ? new BigDecimal(number.toString()) : null;
        if (version != null && version.compareTo(BigDecimal.ONE) >= 0
                && version.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
            expectedVersion = version.longValueExact();
        } else {
            Object given = body.get("expectedVersion");
            errors.add(new FieldError("expectedVersion", (given == null ? "is required" : "must be")
                    + ": the version the move is from (a whole number, at least 1"
                    + (given instanceof String ? ", not in quotes" : "") + "), as the status shows it"));
        }
        Object reasonValue = body.get("reason");
        String reason = "";
        if (reasonValue instanceof String text && text.codePointCount(0, text.length()) <= PhaseStore.MAX_REASON_LENGTH) {
            String unstorable = AuditValidator.unstorableCharacter(text);
            if (unstorable != null) {
                errors.add(new FieldError("reason", "must not contain " + unstorable));
            } else {
                reason = text;
            }
        } else if (reasonValue != null) {
            errors.add(new FieldError("reason", "must be a text of at most " + PhaseStore.MAX_REASON_LENGTH + " characters"));
        }
        Object forceValue = body.get("force");
        boolean force = Boolean.TRUE.equals(forceValue);
        if (forceValue != null && !(forceValue instanceof Boolean)) {
            errors.add(new FieldError("force", "must be true or false (not in quotes)"));
        } else if (force && (reasonValue == null || reasonValue instanceof String text && text.isBlank())) {
            errors.add(new FieldError("reason", "is required when force is true: say why the promotion gates are skipped"));
        }
        for (Object field : body.keySet()) {
            if (!List.of("phase", "expectedVersion", "reason", "force").contains(field)) {
                errors.add(new FieldError(String.valueOf(field),
                        "is not a field of a phase change (phase, expectedVersion, reason, force)"));
            }
        }
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        return migration.changePhase(phase, expectedVersion, who(request), reason, force);
    }

    @GetMapping(path = "/records/{kind}/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> record(@PathVariable String kind, @PathVariable String id) {
        MigrationAdmin migration = admin();
        AuditKind auditKind = AuditController.kind(kind);
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw invalid(List.of(new FieldError("id", "must be a UUID")));
        }
        return migration.compare(auditKind, uuid)
                .orElseThrow(() -> new AuditController.RecordNotFoundException(auditKind, uuid));
    }

    private static boolean isWhole(Number number) {
        return number instanceof Integer || number instanceof Long || number instanceof BigInteger
                || (number instanceof BigDecimal decimal && decimal.stripTrailingZeros().scale() <= 0);
    }

    /** A client's value quoted back in a message: at most 40 characters. */
    private static String shortened(String value) {
        return value.codePointCount(0, value.length()) <= 40 ? value
                : value.substring(0, value.offsetByCodePoints(0, 39)) + "…";
    }

    private static AuditValidationException invalid(List<FieldError> errors) {
        return new AuditValidationException(errors);
    }

    /** Who asked: the remote address (the API has no authenticated callers yet). */
    private static String who(HttpServletRequest request) {
        String address = request.getRemoteAddr();
        return address == null || address.isBlank() ? "unknown" : address;
    }

    private MigrationAdmin admin() {
        if (admin == null) {
            throw new MigrationNotConfiguredException("there is no migration to show or change");
        }
        return admin;
    }

    /**
     * The service runs without a legacy store: the migration's endpoints (status and phase,
     * backfill, validation) answer 404 {@code migration-not-configured} ({@link #notConfigured}).
     */
    static final class MigrationNotConfiguredException extends RuntimeException {
        private final String nothingToDo;

        /** @param nothingToDo what cannot be done, for the answer's detail: "there is nothing to backfill" */
        MigrationNotConfiguredException(String nothingToDo) {
            super("no migration is configured (datastorage.migration.legacy.type is none)");
            this.nothingToDo = nothingToDo;
        }

        /** The answer, the same from every migration endpoint. */
        ProblemDetail problem() {
            return ProblemResponses.problem(HttpStatus.NOT_FOUND, "migration-not-configured",
                    "This service runs without a legacy store (datastorage.migration.legacy.type=none): "
                            + nothingToDo + ".");
        }
    }

    @ExceptionHandler(MigrationNotConfiguredException.class)
    ProblemDetail notConfigured(MigrationNotConfiguredException e) {
        return e.problem();
    }

    @ExceptionHandler(IllegalPhaseTransitionException.class)
    ProblemDetail illegalMove(IllegalPhaseTransitionException e) {
        ProblemDetail problem = ProblemResponses.problem(HttpStatus.CONFLICT, "illegal-phase-transition", e.getMessage());
        problem.setProperty("phase", e.from().name());
        problem.setProperty("allowedMoves", e.allowed().stream().map(MigrationPhase::name).toList());
        return problem;
    }

    @ExceptionHandler(MigrationAdmin.GateRefusedException.class)
    ProblemDetail gateRefused(MigrationAdmin.GateRefusedException e) {
        ProblemDetail problem = ProblemResponses.problem(HttpStatus.PRECONDITION_FAILED, "migration-gate-refused",
                e.getMessage());
        problem.setProperty("phase", e.current().phase().name());
        problem.setProperty("currentVersion", e.current().version());
        problem.setProperty("to", e.to().name());
        problem.setProperty("refusals", e.refusals());
        return problem;
    }

    @ExceptionHandler(StalePhaseVersionException.class)
    ProblemDetail stale(StalePhaseVersionException e) {
        ProblemDetail problem = ProblemResponses.problem(HttpStatus.CONFLICT, "stale-phase-version", e.getMessage());
        problem.setProperty("phase", e.current().phase().name());
        problem.setProperty("currentVersion", e.current().version());
        return problem;
    }
}
