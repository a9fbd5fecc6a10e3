package io.datastorage.server.web;

import io.datastorage.core.audit.AuditValidationException;
import io.datastorage.core.audit.FieldError;
import io.datastorage.core.store.CommitOutcomeUnknownException;
import io.datastorage.core.store.IdempotencyConflictException;
import io.datastorage.core.store.StoreUnavailableException;
import io.datastorage.core.dualwrite.DeadlineExceededException;
import io.datastorage.core.dualwrite.IndexWriteRejectedException;
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

    @ExceptionHandler(AuditController.RecordNotFoundException.class)
    ProblemDetail notFound(AuditController.RecordNotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, "not-found", e.getMessage());
    }

    /**
     * The database is down. Only a write may say "nothing was stored" (its transaction never
     * committed); a read, a search or a reconciliation says only that it could not be answered.
     */
    @ExceptionHandler(StoreUnavailableException.class)
    ResponseEntity<ProblemDetail> unavailable(StoreUnavailableException e, HttpServletRequest request) {
        log.warn("Database unavailable: {}", e.getMessage());
        return retryLater("unavailable", Boolean.TRUE.equals(request.getAttribute(WRITE_ATTRIBUTE))
                ? "The database is unavailable; nothing was stored. Retry later."
                : "The database is unavailable; the request could not be answered. Retry later.");
    }

    /**
     * The connection broke while the write was committing: it may have been stored. The answer
     * must not say that nothing was; the same request with the same Idempotency-Key tells which.
     */
    @ExceptionHandler(CommitOutcomeUnknownException.class)
    ResponseEntity<ProblemDetail> outcomeUnknown(CommitOutcomeUnknownException e) {
        log.warn("Write outcome unknown: {}", e.getMessage());
        return retryLater("outcome-unknown", "The database connection broke while the write was committing, "
                + "so it may have been stored. Retry with the same Idempotency-Key: the answer then says which "
                + "(a replay, or a new write).");
    }

    @ExceptionHandler(IndexWriteRejectedException.class)
    ResponseEntity<ProblemDetail> indexUnavailable(IndexWriteRejectedException e) {
        log.warn("Vector index unavailable in strict mode: {}", e.getMessage());
        return retryLater("index-unavailable",
                "The vector index is unavailable and writes require it (strict mode); nothing was stored. Retry later.");
    }

    @ExceptionHandler(DeadlineExceededException.class)
    ResponseEntity<ProblemDetail> deadlineExceeded(DeadlineExceededException e) {
        log.warn("Write abandoned: {}", e.getMessage());
        return retryLater("deadline-exceeded", "The write did not finish in time; nothing was stored. Retry later.");
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
