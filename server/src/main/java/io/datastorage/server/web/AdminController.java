package io.datastorage.server.web;

import io.datastorage.core.error.Component;
import io.datastorage.core.error.PermanentException;
import io.datastorage.core.index.IndexUnavailableException;
import io.datastorage.core.job.LeaseHeldElsewhereException;
import io.datastorage.core.reconcile.ReconcileJob;
import io.datastorage.core.reconcile.ReconcileReport;
import io.datastorage.core.store.StoreException;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * Operations on the stores: {@code POST /api/v1/admin/reconcile} runs a reconciliation (or joins
 * the one under way) and answers its report; {@code GET} shows the progress of a run and the last
 * report. Without a vector index ({@code datastorage.index.type=none}) there is nothing to
 * reconcile: both answer 409 {@code no-index}. With several replicas one reconciles at a time:
 * a {@code POST} to a replica while another one reconciles answers 409 {@code reconcile-elsewhere}
 * at once (a run cannot be joined across processes; the report is that replica's).
 */
@RestController
@RequestMapping("/api/v1/admin")
public class AdminController {
    private static final Logger log = LoggerFactory.getLogger(AdminController.class);

    /** {@code null} without a vector index. */
    private final ReconcileJob reconcile;

    public AdminController(ObjectProvider<ReconcileJob> reconcile) {
        this.reconcile = reconcile.getIfAvailable();
    }

    @PostMapping(path = "/reconcile", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> reconcile(HttpServletRequest request) {
        PostRequests.check(request);
        return report(reconcileJob().run());
    }

    @GetMapping(path = "/reconcile", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> status() {
        ReconcileJob.Status status = reconcileJob().status();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("running", status.running());
        if (status.running()) {
            body.put("startedAt", status.runningSince().toString());
            body.put("progress", Map.of("slicesDone", status.slicesDone(), "slicesTotal", status.slicesTotal()));
        }
        body.put("lastReport", status.lastReport() == null ? null : report(status.lastReport()));
        if (status.lastError() != null) {
            body.put("lastError", Map.of("message", status.lastError(), "at", status.lastErrorAt().toString()));
        }
        return body;
    }

    static Map<String, Object> report(ReconcileReport report) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("startedAt", report.startedAt().toString());
        body.put("durationMillis", report.duration().toMillis());
        body.put("consistent", report.consistent());
        body.put("checked", report.checked());
        body.put("indexEntries", report.indexEntries());
        body.put("slices", report.slices());
        body.put("slicesDiffering", report.slicesDiffering());
        body.put("missing", report.missing());
        body.put("changed", report.changed());
        body.put("orphans", report.orphans());
        body.put("inFlight", report.inFlight());
        body.put("tooYoung", report.tooYoung());
        body.put("repaired", report.repaired());
        return body;
    }

    private ReconcileJob reconcileJob() {
        if (reconcile == null) {
            throw new NoIndexException();
        }
        return reconcile;
    }

    /** The service runs with {@code datastorage.index.type=none}: permanent, the vector index is not there. */
    static final class NoIndexException extends PermanentException {
        NoIndexException() {
            super(Component.VECTOR_INDEX, "vector index: none configured (datastorage.index.type is none)", null, false);
        }
    }

    @ExceptionHandler(NoIndexException.class)
    ResponseEntity<ProblemDetail> noIndex(NoIndexException e) {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(ProblemResponses.problem(HttpStatus.CONFLICT, "no-index",
                "This service runs without a vector index (datastorage.index.type=none): there is nothing to reconcile."));
    }

    @ExceptionHandler(LeaseHeldElsewhereException.class)
    ResponseEntity<ProblemDetail> elsewhere(LeaseHeldElsewhereException e) {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(ProblemResponses.problem(HttpStatus.CONFLICT,
                "reconcile-elsewhere", "Another replica of this service is reconciling the vector index now; "
                        + "its report is on that replica. Ask again when it is done."));
    }

    @ExceptionHandler(IndexUnavailableException.class)
    ResponseEntity<ProblemDetail> indexUnavailable(IndexUnavailableException e) {
        return ProblemResponses.retryLater("index-unavailable",
                "The vector index is unavailable, so it cannot be reconciled now. Retry later.");
    }

    @ExceptionHandler(StoreException.class)
    ResponseEntity<ProblemDetail> storeFailed(StoreException e) {
        log.warn("Reconciliation could not read PostgreSQL: {}", e.getMessage());
        return ProblemResponses.retryLater("unavailable",
                "The database is unavailable, so the index cannot be reconciled now. Retry later.");
    }

    /** The run ended without a report: the service is stopping (or another replica took the lease). */
    @ExceptionHandler(CancellationException.class)
    ResponseEntity<ProblemDetail> stopped(CancellationException e) {
        return ProblemResponses.retryLater("unavailable", "The reconciliation stopped before it ended ("
                + e.getMessage() + "); what it repaired stays repaired. Ask again later.");
    }
}
