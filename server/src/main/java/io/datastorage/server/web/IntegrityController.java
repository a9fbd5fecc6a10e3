package io.datastorage.server.web;

import io.datastorage.core.integrity.BrokenLink;
import io.datastorage.core.integrity.IntegrityReport;
import io.datastorage.core.job.LeaseHeldElsewhereException;
import io.datastorage.core.store.StoreException;
import io.datastorage.server.integrity.IntegrityService;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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

/**
 * Verification of the records' hash chains: {@code POST /api/v1/admin/integrity/verify} walks
 * every chain from its checkpoint ({@code ?full=true}: from its start) and answers the report,
 * each broken chain with its first broken link; {@code GET} shows the run under way (records
 * verified of the total) and this replica's last report. Any other query parameter, and a
 * {@code full} that is not {@code true} or {@code false} once, is 400 {@code validation} naming it. One verification runs at a time across
 * the replicas: 409 {@code integrity-verify-elsewhere} when another replica verifies, 409
 * {@code integrity-verify-running} when this one does.
 */
@RestController
@RequestMapping("/api/v1/admin/integrity")
public class IntegrityController {
    private static final Logger log = LoggerFactory.getLogger(IntegrityController.class);

    private final IntegrityService integrity;

    public IntegrityController(IntegrityService integrity) {
        this.integrity = integrity;
    }

    @PostMapping(path = "/verify", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> verify(HttpServletRequest request) {
        return report(integrity.verify(QueryParameters.flag(request, "full")));
    }

    @GetMapping(path = "/verify", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> status(HttpServletRequest request) {
        QueryParameters.none(request);
        Map<String, Object> body = new LinkedHashMap<>();
        IntegrityService.Progress progress = integrity.progress().orElse(null);
        body.put("running", progress != null);
        if (progress != null) {
            Map<String, Object> done = new LinkedHashMap<>();
            done.put("full", progress.full());
            done.put("recordsVerified", progress.recordsVerified());
            done.put("recordsTotal", progress.recordsTotal());
            body.put("progress", done);
        }
        body.put("last", integrity.lastReport().map(IntegrityController::report).orElse(null));
        return body;
    }

    static Map<String, Object> report(IntegrityReport report) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("consistent", report.consistent());
        body.put("chains", report.chains());
        body.put("records", report.records());
        body.put("broken", report.broken().stream().map(IntegrityController::broken).toList());
        body.put("startedAt", report.startedAt().toString());
        body.put("finishedAt", report.finishedAt().toString());
        body.put("full", report.full());
        return body;
    }

    private static Map<String, Object> broken(BrokenLink link) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", link.chain().kind());
        body.put("month", link.chain().month().toString());
        body.put("seq", link.seq());
        body.put("recordId", link.recordId() == null ? null : link.recordId().toString());
        body.put("reason", link.reason().wireName());
        body.put("detail", link.detail());
        return body;
    }

    @ExceptionHandler(LeaseHeldElsewhereException.class)
    ResponseEntity<ProblemDetail> elsewhere(LeaseHeldElsewhereException e) {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(ProblemResponses.problem(HttpStatus.CONFLICT,
                "integrity-verify-elsewhere", "Another replica of this service is verifying the hash chains now; "
                        + "its report is on that replica. Ask again when it is done."));
    }

    @ExceptionHandler(IntegrityService.RunningException.class)
    ResponseEntity<ProblemDetail> running(IntegrityService.RunningException e) {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(ProblemResponses.problem(HttpStatus.CONFLICT,
                "integrity-verify-running", "A verification of the hash chains is under way on this replica; "
                        + "GET this path for its progress and ask again when it is done."));
    }

    @ExceptionHandler(StoreException.class)
    ResponseEntity<ProblemDetail> storeFailed(StoreException e) {
        log.warn("Integrity verification could not read PostgreSQL: {}", e.getMessage());
        return ProblemResponses.retryLater("unavailable",
                "The database is unavailable, so the hash chains cannot be verified now. Retry later.");
    }
}
