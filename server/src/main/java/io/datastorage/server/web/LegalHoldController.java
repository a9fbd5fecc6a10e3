package io.datastorage.server.web;

import io.datastorage.core.audit.AuditValidationException;
import io.datastorage.core.audit.FieldError;
import io.datastorage.core.audit.Timestamps;
import io.datastorage.core.retention.LegalHold;
import io.datastorage.core.retention.NewLegalHold;
import io.datastorage.server.retention.RetentionService;
import io.datastorage.server.security.Principals;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Legal holds: {@code GET /api/v1/admin/legal-holds} lists the active ones ({@code ?all=true}: the
 * released and expired ones too); {@code POST} with
 * {@code {"correlationId" | "namespace", "reason", "expiresAt"?}} places one (201 with Location;
 * who placed it is the request's subject); {@code GET /{id}} shows one; {@code DELETE /{id}}
 * releases one (204; the hold stays listed under {@code ?all=true}). A hold keeps every month in
 * which it covers a record, for every kind, from retention. A bad body (the rules are
 * {@link NewLegalHold#errors}; at most 16 KiB, 413 {@code payload-too-large} beyond) answers 400
 * {@code validation} naming each field; an unknown id 404 {@code legal-hold-not-found}. Only the
 * listing takes a query parameter, {@code all=true|false} once; any other, or a bad {@code all}, is
 * 400 {@code validation} naming it.
 */
@RestController
@RequestMapping("/api/v1/admin/legal-holds")
public class LegalHoldController {
    /** The largest body: a hold is a few hundred bytes. */
    static final long MAX_BODY = 16 * 1024;
    private static final Set<String> FIELDS = Set.of("correlationId", "namespace", "reason", "expiresAt");

    private final RetentionService retention;
    private final JsonBodies bodies;

    public LegalHoldController(RetentionService retention, JsonBodies bodies) {
        this.retention = retention;
        this.bodies = bodies;
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> list(HttpServletRequest request) {
        boolean all = QueryParameters.flag(request, "all");
        Instant now = retention.now();
        return Map.of("holds", retention.holds(all).stream().map(hold -> json(hold, now)).toList());
    }

    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> get(@PathVariable("id") String id, HttpServletRequest request) {
        QueryParameters.none(request);
        return retention.hold(id(id)).map(hold -> json(hold, retention.now())).orElseThrow(() -> new NotFoundException(id));
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> create(HttpServletRequest request) {
        PostRequests.check(request);
        Object tree = bodies.parse(bodies.read(request, MAX_BODY));
        if (!(tree instanceof Map<?, ?> body)) {
            throw new AuditValidationException(List.of(new FieldError("",
                    "must be a JSON object {correlationId | namespace, reason, expiresAt}")));
        }
        List<FieldError> errors = new ArrayList<>();
        for (Object field : body.keySet()) {
            if (!FIELDS.contains(String.valueOf(field))) {
                errors.add(new FieldError(ListingParameters.echo(String.valueOf(field)),
                        "is not a field of a legal hold (correlationId, namespace, reason, expiresAt)"));
            }
        }
        String correlationId = text(body, "correlationId", errors);
        String namespace = text(body, "namespace", errors);
        String reason = text(body, "reason", errors);
        Instant expiresAt = null;
        String expires = text(body, "expiresAt", errors);
        if (expires != null) {
            try {
                expiresAt = Timestamps.parse(expires, "'" + expires + "'");
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("expiresAt", e.getMessage()));
            }
        }
        NewLegalHold hold = new NewLegalHold(correlationId, namespace, reason, expiresAt);
        Instant now = retention.now();
        hold.errors(now).stream()
                .filter(error -> errors.stream().noneMatch(e -> e.field().equals(error.field())))
                .forEach(errors::add);
        if (!errors.isEmpty()) {
            throw new AuditValidationException(errors);
        }
        LegalHold created = retention.createHold(hold, Principals.subject(request));
        return ResponseEntity.created(URI.create("/api/v1/admin/legal-holds/" + created.id()))
                .contentType(MediaType.APPLICATION_JSON).body(json(created, now));
    }

    @DeleteMapping(path = "/{id}")
    ResponseEntity<Void> release(@PathVariable("id") String id, HttpServletRequest request) {
        QueryParameters.none(request);
        retention.releaseHold(id(id), Principals.subject(request)).orElseThrow(() -> new NotFoundException(id));
        return ResponseEntity.noContent().build();
    }

    /** A text field; absent and JSON null are {@code null}; any other type is an error. */
    private static String text(Map<?, ?> body, String field, List<FieldError> errors) {
        Object value = body.get(field);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        errors.add(new FieldError(field, "must be a text"));
        return "";
    }

    private static UUID id(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new NotFoundException(id); // no hold has an id that is not a UUID
        }
    }

    static Map<String, Object> json(LegalHold hold, Instant now) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", hold.id().toString());
        json.put("correlationId", hold.correlationId());
        json.put("namespace", hold.namespace());
        json.put("reason", hold.reason());
        json.put("createdBy", hold.createdBy());
        json.put("createdAt", hold.createdAt().toString());
        json.put("expiresAt", hold.expiresAt() == null ? null : hold.expiresAt().toString());
        json.put("releasedAt", hold.releasedAt() == null ? null : hold.releasedAt().toString());
        json.put("releasedBy", hold.releasedBy());
        json.put("active", hold.active(now));
        return json;
    }

    /** No legal hold has the id. */
    static final class NotFoundException extends RuntimeException {
        NotFoundException(String id) {
            super("no legal hold has the id " + id);
        }
    }

    @ExceptionHandler(NotFoundException.class)
    ResponseEntity<ProblemDetail> notFound(NotFoundException e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(ProblemResponses.problem(HttpStatus.NOT_FOUND, "legal-hold-not-found",
                        "No legal hold has this id; GET /api/v1/admin/legal-holds?all=true lists every one."));
    }
}
