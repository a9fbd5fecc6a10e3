package io.datastorage.server.web;

import io.datastorage.core.audit.AuditValidationException;
import io.datastorage.core.audit.FieldError;
import io.datastorage.core.migration.LegacyRecordConflictException;
import io.datastorage.core.migration.LegacyRecordRefusedException;
import io.datastorage.core.migration.LegacyStoreUnavailableException;
import io.datastorage.core.migration.PhaseChangedException;
import io.datastorage.core.store.RecordConflictException;
import io.datastorage.core.store.CommitOutcomeUnknownException;
import io.datastorage.core.store.IdempotencyConflictException;
import io.datastorage.core.store.StoreUnavailableException;
import io.datastorage.core.dualwrite.DeadlineExceededException;
import io.datastorage.core.dualwrite.IndexWriteRejectedException;
import io.datastorage.core.error.Component;
import io.datastorage.core.error.PermanentException;
import io.datastorage.core.error.TransientException;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Every error as RFC 9457 {@code application/problem+json} with a stable {@code type} per kind of
 * error. Client errors say exactly what is wrong; server errors say nothing of the internals.
 */
@RestControllerAdvice
public class ProblemResponses extends ResponseEntityExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ProblemResponses.class);
    static final String TYPE_PREFIX = "urn:datastorage:problem:";
    /** Request attribute set by the write endpoints, so that an error can say whether anything was stored. */
    static final String WRITE_ATTRIBUTE = ProblemResponses.class.getName() + ".write";

    @ExceptionHandler(AuditValidationException.class)
    ProblemDetail invalid(AuditValidationException e) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "validation",
                "The request has " + e.count() + " invalid field(s); see errors.");
        problem.setProperty("errors", e.errors());
        return problem;
    }

    @ExceptionHandler(JsonBodies.MalformedException.class)
    ProblemDetail malformed(JsonBodies.MalformedException e) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "malformed-json", e.getMessage());
        problem.setProperty("errors", List.of(new FieldError("", e.getMessage())));
        return problem;
    }

    @ExceptionHandler(JsonBodies.TooLargeException.class)
    ProblemDetail tooLarge(JsonBodies.TooLargeException e) {
        return problem(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", e.getMessage());
    }

    @ExceptionHandler(JsonBodies.UnsupportedContentException.class)
    ResponseEntity<ProblemDetail> unsupportedContent(JsonBodies.UnsupportedContentException e) {
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE);
        if (e.contentCoding()) {
            answer.header(HttpHeaders.ACCEPT_ENCODING, "identity"); // RFC 9110 §12.5.3
        }
        return answer.body(problem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", e.getMessage()));
    }

    @ExceptionHandler(IdempotencyConflictException.class)
    ProblemDetail conflict(IdempotencyConflictException e) {
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-reused", e.getMessage()
                + "; resend the original request or use a new key");
    }

    /**
     * A write named a record id stored already with other content (in a migration: the two stores
     * disagree about that record). Records are immutable: the stored one stays, the write is
     * refused, and the same write fails again. The detail names the record, never its content.
     */
    @ExceptionHandler({RecordConflictException.class, LegacyRecordConflictException.class})
    ProblemDetail recordConflict(PermanentException e) {
        UUID id = e instanceof RecordConflictException conflict ? conflict.id() : ((LegacyRecordConflictException) e).id();
        log.warn("Refused a write: {}", e.getMessage());
        return problem(HttpStatus.CONFLICT, "record-conflict", "Record " + id + " is stored already with other "
                + "content; records are immutable, so the write was refused (the stores of the migration disagree "
                + "about it: see GET /api/v1/admin/migration/records/{kind}/" + id + ").");
    }

    /**
     * The legacy store cannot hold the record by its layout (an integer id column, a table of another
     * kind, a column of another type): the request is valid, but this deployment cannot store it, and
     * a retry fails again. 422 with the store's reason, which names the record and a column only.
     */
    @ExceptionHandler(LegacyRecordRefusedException.class)
    ProblemDetail legacyRefused(LegacyRecordRefusedException e) {
        log.warn("Refused a write: {}", e.getMessage());
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "legacy-store-refused", "The legacy store "
                + e.getMessage().substring(e.getMessage().indexOf("cannot hold")) + "; nothing was stored.");
    }

    @ExceptionHandler(AuditController.RecordNotFoundException.class)
    ProblemDetail notFound(AuditController.RecordNotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, "not-found", e.getMessage());
    }

    /**
     * A transient failure, of any component: 503 with Retry-After, since the same request may
     * succeed later. The type and the detail name the kind of component (never a host, a class or
     * SQL). Only a write may say "nothing was stored" (its transaction never committed), and only
     * when the failure says so; a read, a search or a reconciliation says only that it could not
     * be answered.
     */
    @ExceptionHandler(TransientException.class)
    ResponseEntity<ProblemDetail> retryable(TransientException e, HttpServletRequest request) {
        log.warn("Answered 503, {} failed transiently: {}", e.component(), e.getMessage());
        boolean write = Boolean.TRUE.equals(request.getAttribute(WRITE_ATTRIBUTE));
        return switch (e) {
            case StoreUnavailableException unavailable -> retryLater("unavailable", write
                    ? publicName(unavailable.component()) + " is unavailable; nothing was stored. Retry later."
                    : publicName(unavailable.component()) + " is unavailable; the request could not be answered. Retry later.");
            // A migration's legacy store failed as the primary of a write (the router removed what it had put)
            // or while reading: as a StoreUnavailableException, but a class of its own.
            case LegacyStoreUnavailableException legacy -> retryLater("unavailable", write
                    ? "The legacy store is unavailable; nothing was stored. Retry later."
                    : "The legacy store is unavailable; the request could not be answered. Retry later.");
            // The legacy store (or PostgreSQL as a migration's secondary) failed and the write could not be
            // undone: as for a broken commit, it may have been stored.
            case CommitOutcomeUnknownException unknown when unknown.component() != Component.POSTGRESQL ->
                    retryLater("outcome-unknown", "A store of the migration failed and the write could not be undone, "
                            + "so it may have been stored. Retry with the same Idempotency-Key: the answer then says which "
                            + "(a replay, or a new write).");
            // The connection broke while the write was committing: it may have been stored. The answer
            // must not say that nothing was; the same request with the same Idempotency-Key tells which.
            case CommitOutcomeUnknownException unknown -> retryLater("outcome-unknown",
                    "The database connection broke while the write was committing, so it may have been stored. "
                            + "Retry with the same Idempotency-Key: the answer then says which (a replay, or a new write).");
            case IndexWriteRejectedException rejected -> retryLater("index-unavailable",
                    "The vector index is unavailable and writes require it (strict mode); nothing was stored. Retry later.");
            // The phase moved twice while the write ran (the router retries once): nothing of it was committed.
            case PhaseChangedException changed -> retryLater("unavailable",
                    "The migration phase changed while the write ran; nothing was stored. Retry later.");
            case DeadlineExceededException deadline -> retryLater("deadline-exceeded",
                    "The write did not finish in time; nothing was stored. Retry later.");
            default -> retryLater(unavailableType(e.component()), publicName(e.component()) + " is unavailable; "
                    + (write ? "the write could not be completed" : "the request could not be answered") + ". Retry later.");
        };
    }

    /**
     * A permanent failure that has no answer of its own above. One of the request
     * ({@link Component#REQUEST}) is the client's to fix: 400 with its message, which is written
     * for the client. One of a component is ours: 500, with the stack trace in the log and nothing
     * of the internals in the answer.
     */
    @ExceptionHandler(PermanentException.class)
    ProblemDetail permanent(PermanentException e, HttpServletRequest request) {
        if (e.component() == Component.REQUEST) {
            return problem(HttpStatus.BAD_REQUEST, "bad-request", e.getMessage());
        }
        log.error("{} failed permanently", e.component(), e);
        return internal(request);
    }

    /** The type of a transient failure of a component that has no answer of its own. */
    private static String unavailableType(Component component) {
        return switch (component) {
            case VECTOR_INDEX -> "index-unavailable";
            case EMBEDDER -> "embedding-unavailable";
            case IDENTITY_PROVIDER -> "auth-unavailable";
            case POSTGRESQL, EMBEDDING_CACHE, LEGACY_STORE, REQUEST -> "unavailable";
        };
    }

    /** How a client is told which kind of component failed. */
    private static String publicName(Component component) {
        return switch (component) {
            case POSTGRESQL -> "The database";
            case VECTOR_INDEX -> "The vector index";
            case EMBEDDER -> "The embedding model";
            case EMBEDDING_CACHE -> "The embedding cache";
            case LEGACY_STORE -> "The legacy store";
            case IDENTITY_PROVIDER -> "The identity provider";
            case REQUEST -> "The service";
        };
    }

    /** 503 with Retry-After: nothing was stored, and the same request may succeed later. */
    static ResponseEntity<ProblemDetail> retryLater(String type, String detail) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, "5")
                .body(problem(HttpStatus.SERVICE_UNAVAILABLE, type, detail));
    }

    @ExceptionHandler(Exception.class)
    ProblemDetail unexpected(Exception e, HttpServletRequest request) {
        log.error("Unexpected error", e);
        return internal(request);
    }

    private static ProblemDetail internal(HttpServletRequest request) {
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal",
                Boolean.TRUE.equals(request.getAttribute(WRITE_ATTRIBUTE))
                        ? "An unexpected error occurred; nothing was stored."
                        : "An unexpected error occurred.");
    }

    /**
     * Says what was wrong with the Content-Type instead of Spring's "Content-Type 'null' is not
     * supported" (none sent) or "Could not parse Content-Type" (for an unknown charset too).
     */
    @Override
    protected ResponseEntity<Object> handleHttpMediaTypeNotSupported(HttpMediaTypeNotSupportedException ex,
                                                                     HttpHeaders headers, HttpStatusCode status,
                                                                     WebRequest request) {
        String sent = request.getHeader(HttpHeaders.CONTENT_TYPE);
        ex.getBody().setDetail(sent == null || sent.isBlank()
                ? "The request has no Content-Type; send Content-Type: application/json (UTF-8)."
                : "Content-Type '" + ListingParameters.echo(sent) + "' is not supported"
                        + (ex.getContentType() == null ? " (it cannot be parsed, or names a charset this JVM does not know)" : "")
                        + "; send application/json (UTF-8).");
        return super.handleHttpMediaTypeNotSupported(ex, headers, status, request);
    }

    /** Spring MVC's own errors (415, 405, 404 for unknown paths, ...) get our type URNs too. */
    @Override
    protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode statusCode,
                                                          WebRequest request) {
        if (body instanceof ProblemDetail problem
                && (problem.getType() == null || problem.getType().toString().equals("about:blank"))) {
            HttpStatus status = HttpStatus.resolve(statusCode.value());
            String slug = status == null ? "http-" + statusCode.value()
                    : status.name().toLowerCase(Locale.ROOT).replace('_', '-');
            problem.setType(URI.create(TYPE_PREFIX + slug));
        }
        if (body instanceof ProblemDetail && headers.getContentType() == null) {
            // Set, not negotiated: a 406 for "Accept: text/html" (or an unreadable Accept) must still have a body.
            headers = new HttpHeaders(headers);
            headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        }
        return super.createResponseEntity(body, headers, statusCode, request);
    }

    static ProblemDetail problem(HttpStatus status, String type, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPE_PREFIX + type));
        problem.setTitle(status.getReasonPhrase());
        return problem;
    }
}
