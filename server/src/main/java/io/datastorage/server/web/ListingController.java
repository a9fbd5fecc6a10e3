package io.datastorage.server.web;

import io.datastorage.core.migration.MigrationReads;
import io.datastorage.server.migration.MigrationRouting;
import org.springframework.beans.factory.ObjectProvider;
import io.datastorage.core.audit.AuditValidationException;
import io.datastorage.core.audit.FieldError;
import io.datastorage.core.error.TransientException;
import io.datastorage.core.store.AuditPage;
import io.datastorage.core.store.RecordStore;
import io.datastorage.server.metrics.QueryMetrics;
import io.datastorage.server.metrics.QueryMetrics.Operation;
import io.datastorage.server.metrics.QueryMetrics.Outcome;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The filtered listing: {@code GET /api/v1/audit/{kind}} and {@code GET /api/v1/audit} (every
 * kind), newest first, a page at a time. Parameters are checked by {@link ListingParameters};
 * pages are cut by position in PostgreSQL ({@link RecordStore#list}) and the next one is named by
 * an opaque {@link ListingCursor}. Answers {@code {items, nextCursor}}, plus {@code total} when
 * asked; each item is what {@code GET /api/v1/audit/{kind}/{id}} answers for that record.
 */
@RestController
@RequestMapping("/api/v1/audit")
public class ListingController {

    private final RecordStore store;
    /** With a migration, listings by phase (from the primary); {@code null}: PostgreSQL. */
    private final MigrationReads reads;
    private final QueryMetrics metrics;
    private final Clock clock;

    public ListingController(RecordStore store, QueryMetrics metrics, Clock clock,
                             ObjectProvider<MigrationRouting> migration) {
        this.store = store;
        MigrationRouting routing = migration.getIfAvailable();
        this.reads = routing == null ? null : routing.reads();
        this.metrics = metrics;
        this.clock = clock;
    }

    @GetMapping(path = "", produces = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> listEveryKind(HttpServletRequest request) {
        return list(null, request);
    }

    @GetMapping(path = "/{kind}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, Object> listKind(@PathVariable String kind, HttpServletRequest request) {
        return list(kind, request);
    }

    private Map<String, Object> list(String kind, HttpServletRequest request) {
        Timer.Sample sample = metrics.start();
        Outcome outcome = Outcome.ERROR;
        try {
            ListingParameters.Listing listing = ListingParameters.parse(kind, parameters(request), clock.instant());
            AuditPage page = reads == null ? store.list(listing.query()) : reads.list(listing.query());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("items", page.items().stream().map(AuditController::recordBody).toList());
            body.put("nextCursor", page.next() == null ? null : listing.nextCursor(page.next()));
            if (page.total() != null) {
                body.put("total", page.total());
            }
            outcome = Outcome.OK;
            return body;
        } catch (AuditValidationException e) {
            outcome = Outcome.INVALID;
            throw e;
        } catch (TransientException e) {
            outcome = Outcome.UNAVAILABLE;
            throw e;
        } finally {
            metrics.record(sample, Operation.LIST, outcome);
        }
    }

    /**
     * The query parameters. The container decodes them on first use and throws when it cannot
     * (percent-escapes that are not UTF-8, too many parameters): the client's error, not ours.
     */
    private static Map<String, String[]> parameters(HttpServletRequest request) {
        try {
            return request.getParameterMap();
        } catch (IllegalStateException e) { // Tomcat's InvalidParameterException
            throw new AuditValidationException(List.of(new FieldError("query",
                    "could not be decoded: percent-escapes must form UTF-8 text, and the number of parameters is limited")));
        }
    }
}
