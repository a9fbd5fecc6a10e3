package io.datastorage.server.web;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tomcat's error report, as RFC 9457 problem+json instead of an HTML page. Tomcat answers some
 * requests itself, before (or without) the application seeing them: a request line or header it
 * cannot parse ({@code {} in the path, a control character, headers over the size limit), a path
 * it refuses ({@code %ff}, {@code %2F}), TRACE, an unsupported HTTP version or transfer coding,
 * and any error the application reports with {@code sendError} or lets escape. Each of those
 * answers gets a problem with the stable type of its status and an {@code X-Correlation-ID}
 * (the client's, when well-formed, or a new one), like every answer of the API. Tomcat's 501
 * (unknown method or transfer coding) and 505 (HTTP version) become 400 {@code bad-request}:
 * they answer the client's input, which never gets a 5xx.
 * <p>
 * Installed on the host of every Tomcat the service runs (API and management port) by
 * {@link ContainerErrors}, in place of Tomcat's own {@link ErrorReportValve}; the guards of
 * {@link #report} are those of Tomcat's.
 */
public class ProblemReportValve extends ErrorReportValve {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_REASON = 300;

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        if (status == 501 || status == 505) {
            // An unknown method or transfer coding (501) or HTTP version (505) is the client's input,
            // and the service answers no input with a 5xx (which monitoring counts as its own fault).
            status = 400;
            response.setStatus(status);
        }
        if (response.getHeader(CorrelationIdFilter.HEADER) == null) {
            response.setHeader(CorrelationIdFilter.HEADER, correlationId(request));
        }
        try {
            byte[] body = JSON.writeValueAsBytes(problem(status, reason(response, throwable)));
            response.setContentType("application/problem+json");
            response.setContentLength(body.length);
            OutputStream out = response.getOutputStream();
            out.write(body);
            response.finishResponse();
        } catch (IOException | IllegalStateException e) {
            // the connection is gone or the answer was already committed: nothing more can be said
        }
    }

    /** The problem for a status the container (not a controller) answered with. */
    static Map<String, Object> problem(int status, String reason) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", ProblemResponses.TYPE_PREFIX + slug(status));
        HttpStatus known = HttpStatus.resolve(status);
        problem.put("title", known == null ? "HTTP " + status : known.getReasonPhrase());
        problem.put("status", status);
        problem.put("detail", detail(status, reason));
        return problem;
    }

    /**
     * The type slug of a status: the names {@link ProblemResponses} uses where it has one
     * ({@code payload-too-large}, {@code internal}, {@code unavailable}), else the status's
     * reason phrase in lower case with dashes, as Spring MVC's own errors get.
     */
    static String slug(int status) {
        return switch (status) {
            case 413 -> "payload-too-large";
            case 500 -> "internal";
            case 503 -> "unavailable";
            default -> {
                HttpStatus known = HttpStatus.resolve(status);
                yield known == null ? "http-" + status : known.name().toLowerCase(Locale.ROOT).replace('_', '-');
            }
        };
    }

    private static String detail(int status, String reason) {
        if (status >= 500) {
            // Said of any request, reads included, so it claims nothing about what was stored.
            return status == 500 ? "An unexpected error occurred."
                    : "The server could not answer this request (HTTP " + status + ").";
        }
        String sentence = switch (status) {
            case 400 -> "The request is not valid HTTP/1.1 or its path cannot be decoded (percent-escapes must be UTF-8, "
                    + "'/' must not be escaped, characters such as '{' must be; headers are limited in size and "
                    + "must not hold control characters; methods, transfer codings and the HTTP version must be "
                    + "ones this service implements), so it was not processed";
            case 404 -> "There is no endpoint at this path";
            case 405 -> "This method is not allowed here";
            default -> "The request was refused (HTTP " + status + ")";
        };
        return reason == null ? sentence + "." : sentence + ": " + reason;
    }

    /** Tomcat's own reason, first line only, printable, bounded; it may quote the request. */
    private static String reason(Response response, Throwable throwable) {
        String message = response.getMessage();
        if ((message == null || message.isBlank()) && throwable != null) {
            message = throwable.getMessage();
        }
        if (message == null || message.isBlank()) {
            return null;
        }
        String line = message.lines().findFirst().orElse("").strip();
        StringBuilder out = new StringBuilder();
        line.codePoints().limit(MAX_REASON).forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return out.isEmpty() ? null : out.length() < line.length() ? out.append('…').toString() : out.toString();
    }

    private static String correlationId(Request request) {
        String given;
        try {
            given = request.getHeader(CorrelationIdFilter.HEADER);
        } catch (RuntimeException e) { // headers that could not be parsed
            given = null;
        }
        return CorrelationIdFilter.idFor(given);
    }
}
