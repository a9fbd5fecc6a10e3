package io.datastorage.server.web;

import io.datastorage.core.migration.MigrationReads;
import io.datastorage.server.migration.MigrationRouting;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidationException;
import io.datastorage.core.audit.FieldError;
import io.datastorage.core.dualwrite.Deadline;
import io.datastorage.core.error.TransientException;
import io.datastorage.core.ingest.IdempotencyKey;
import io.datastorage.core.ingest.IngestService;
import io.datastorage.core.store.AuditRecord;
import io.datastorage.core.store.RecordStore;
import io.datastorage.core.store.IdempotencyConflictException;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.UnreadableRecordException;
import io.datastorage.core.store.WriteResult;
import io.datastorage.server.config.DatastorageProperties;
import io.datastorage.server.metrics.AuditMetrics;
import io.datastorage.server.metrics.AuditMetrics.Outcome;
import io.datastorage.server.security.Principals;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;

/**
 * The audit write and read-by-id API. A write is mapped from HTTP onto the write use case,
 * {@link IngestService}: kind → body (size-limited, UTF-8) → JSON tree → ingest (validation of
 * every field → idempotency fingerprint in the scope of the request line → embedding, pending if
 * the model fails → dual-write) → 201. Errors are thrown as typed exceptions and turned into
 * problem+json by {@link ProblemResponses}.
 *
 * <p>A write has a deadline ({@code datastorage.write.deadline}) that runs from the moment its
 * request arrived ({@link CorrelationIdFilter#arrivedAt}), embedding included; the embedder gets
 * its share of what is left ({@link io.datastorage.core.embedding.RecordEmbedder#embed}). The
 * coordinator checks the deadline before it writes and before it commits, so a write past it
 * stores nothing (503).
 */
@RestController
@RequestMapping("/api/v1/audit")
public class AuditController {
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String REPLAYED_HEADER = "Idempotent-Replayed";
    static final String MIGRATION_PHASE_HEADER = "Migration-Phase";

    private final RecordStore store;
    /** With a migration, reads by phase (from the primary); {@code null}: PostgreSQL. */
    private final MigrationReads reads;
    private final IngestService ingest;
    private final JsonBodies bodies;
    private final AuditMetrics metrics;
    private final DatastorageProperties.Limits limits;
    private final Duration writeDeadline;
    private final Clock clock;

    public AuditController(RecordStore store, IngestService ingest, JsonBodies bodies, AuditMetrics metrics,
                           DatastorageProperties properties, Clock clock, ObjectProvider<MigrationRouting> migration) {
        this.store = store;
        MigrationRouting routing = migration.getIfAvailable();
        this.reads = routing == null ? null : routing.reads();
        this.ingest = ingest;
        this.bodies = bodies;
        this.metrics = metrics;
        this.limits = properties.limits();
        this.writeDeadline = properties.write().deadline();
        this.clock = clock;
    }

    @PostMapping(path = "/{kind}", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Map<String, Object>> create(@PathVariable String kind,
                                                      @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String key,
                                                      HttpServletRequest request) {
        return write(kind, key, request, limits.maxBodySize().toBytes(), "",
                ingest::ingest,
                result -> {
                    Receipt receipt = result.receipts().getFirst();
                    return ResponseEntity.created(URI.create("/api/v1/audit/" + receipt.kind().pathName() + "/" + receipt.id()))
                            .header(REPLAYED_HEADER, String.valueOf(result.replayed()))
                            .headers(routeHeader(result))
                            .body(receiptBody(receipt));
                });
    }

    @PostMapping(path = "/{kind}/batch", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Map<String, Object>> createBatch(@PathVariable String kind,
                                                           @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String key,
                                                           HttpServletRequest request) {
        return write(kind, key, request, limits.maxBatchBodySize().toBytes(), "/batch",
                ingest::ingestBatch,
                result -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("count", result.receipts().size());
                    body.put("ids", result.receipts().stream().map(r -> r.id().toString()).toList());
                    body.put("records", result.receipts().stream().map(AuditController::receiptBody).toList());
                    return ResponseEntity.status(HttpStatus.CREATED)
                            .header(REPLAYED_HEADER, String.valueOf(result.replayed()))
                            .headers(routeHeader(result))
                            .body(body);
                });
    }

    @GetMapping(path = "/{kind}/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> get(@PathVariable String kind, @PathVariable String id) {
        AuditKind auditKind = kind(kind);
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new AuditValidationException(List.of(new FieldError("id", "must be a UUID")));
        }
        AuditRecord record = (reads == null ? store.find(auditKind, uuid) : reads.find(auditKind, uuid))
                .orElseThrow(() -> new RecordNotFoundException(auditKind, uuid));
        return recordBody(record);
    }

    /**
     * A stored record as the read API shows it: id, kind, {@code legacyId} when it has one (a record
     * from a legacy store), {@code recordedBy} when the store records it (PostgreSQL does; a legacy
     * store does not), the document as accepted, embedded, vectorIndexed.
     */
    static Map<String, Object> recordBody(AuditRecord record) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", record.id().toString());
        body.put("kind", record.kind().pathName());
        if (record.legacyId() != null) {
            body.put("legacyId", record.legacyId());
        }
        if (record.recordedBy() != null) {
            body.put("recordedBy", record.recordedBy());
        }
        body.putAll(record.document());
        body.put("embedded", record.embedded());
        body.put("vectorIndexed", record.vectorIndexed());
        return body;
    }

    /** {@code Migration-Phase: <phase>; version=<n>}: the phase a write ran under, when a migration routed it. */
    private static HttpHeaders routeHeader(WriteResult result) {
        HttpHeaders headers = new HttpHeaders();
        if (result.route() != null) {
            headers.set(MIGRATION_PHASE_HEADER, result.route().headerValue());
        }
        return headers;
    }

    /** One of {@link IngestService}'s entry points: a single record or a batch. */
    private interface Ingestion {
        WriteResult apply(AuditKind kind, Object tree, IdempotencyKey key, Deadline deadline, String recordedBy);
    }

    private ResponseEntity<Map<String, Object>> write(String kindName, String key, HttpServletRequest request, long limit,
                                                      String pathSuffix, Ingestion ingestion,
                                                      Function<WriteResult, ResponseEntity<Map<String, Object>>> answer) {
        request.setAttribute(ProblemResponses.WRITE_ATTRIBUTE, Boolean.TRUE);
        Deadline deadline = Deadline.at(CorrelationIdFilter.arrivedAt(request, clock).plus(writeDeadline), clock);
        Timer.Sample sample = metrics.start();
        AuditKind kind = null;
        Outcome outcome = Outcome.ERROR;
        try {
            kind = kind(kindName);
            PostRequests.check(request, IDEMPOTENCY_KEY);
            if (key != null && !IdempotencyToken.isValidKey(key)) {
                throw new AuditValidationException(List.of(new FieldError(IDEMPOTENCY_KEY,
                        "header must be 1.." + IdempotencyToken.MAX_KEY_LENGTH + " printable ASCII characters")));
            }
            byte[] raw = bodies.read(request, limit);
            Object tree = bodies.parse(raw);
            String requestLine = "POST /api/v1/audit/" + kind.pathName() + pathSuffix;
            WriteResult result = ingestion.apply(kind, tree, key == null ? null : new IdempotencyKey(key, requestLine), deadline,
                    Principals.subject(request));
            outcome = result.replayed() ? Outcome.REPLAYED : Outcome.CREATED;
            return answer.apply(result);
        } catch (AuditValidationException e) {
            outcome = Outcome.INVALID;
            metrics.validationFailures(e.errors());
            throw e;
        } catch (JsonBodies.TooLargeException | JsonBodies.MalformedException | JsonBodies.UnsupportedContentException e) {
            outcome = Outcome.REJECTED;
            throw e;
        } catch (IdempotencyConflictException e) {
            outcome = Outcome.CONFLICT;
            throw e;
        } catch (TransientException e) {
            outcome = Outcome.UNAVAILABLE;
            throw e;
        } finally {
            metrics.record(sample, kind, outcome);
        }
    }

    static AuditKind kind(String name) {
        return AuditKind.fromPathName(name).orElseThrow(() -> new AuditValidationException(List.of(
                new FieldError("kind", "unknown kind '" + (name.length() > 64 ? name.substring(0, 64) + "…" : name)
                        + "'; one of: " + AuditKind.allowedPathNames()))));
    }

    private static Map<String, Object> receiptBody(Receipt receipt) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", receipt.id().toString());
        body.put("kind", receipt.kind().pathName());
        body.put("correlationId", receipt.correlationId());
        body.put("createdAt", receipt.createdAt());
        body.put("embedded", receipt.embedded());
        body.put("vectorIndexed", receipt.vectorIndexed());
        return body;
    }

    /**
     * A stored record that cannot be read back (the store logged and counted it): a problem that
     * says so, not a stack trace and not the generic "internal".
     */
    @ExceptionHandler(UnreadableRecordException.class)
    ProblemDetail unreadable(UnreadableRecordException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                e.getMessage() + "; it is reported in the service's log and metrics");
        problem.setType(URI.create(ProblemResponses.TYPE_PREFIX + "unreadable-record"));
        problem.setTitle(HttpStatus.INTERNAL_SERVER_ERROR.getReasonPhrase());
        return problem;
    }

    /** No record of that kind has that id. */
    static final class RecordNotFoundException extends RuntimeException {
        RecordNotFoundException(AuditKind kind, UUID id) {
            super("no " + kind.pathName() + " record with id " + id);
        }
    }
}
