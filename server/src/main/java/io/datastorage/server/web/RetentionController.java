package io.datastorage.server.web;

import io.datastorage.core.job.LeaseHeldElsewhereException;
import io.datastorage.core.retention.RetentionPlan;
import io.datastorage.server.retention.RetentionService;
import jakarta.servlet.http.HttpServletRequest;
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
import java.util.List;
import java.util.Map;

/**
 * Retention: {@code GET /api/v1/admin/retention} is the dry run (what a run would drop now: each
 * expired month of a kind with its records, and the expired months that legal holds keep, with the
 * holds); {@code POST /api/v1/admin/retention/run} runs retention now on this replica and answers
 * what it dropped. Neither takes a query parameter: one is 400 {@code validation} naming it. One
 * replica runs retention at a time: while another holds its lease, 409 {@code retention-elsewhere};
 * while a run is under way here, 409 {@code retention-running}.
 */
@RestController
@RequestMapping("/api/v1/admin/retention")
public class RetentionController {
    private final RetentionService retention;

    public RetentionController(RetentionService retention) {
        this.retention = retention;
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> report(HttpServletRequest request) {
        QueryParameters.none(request);
        RetentionPlan plan = retention.plan();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("at", plan.at().toString());
        body.put("drops", drops(plan.drops()));
        body.put("records", plan.records());
        body.put("blocked", blocked(plan.blocked()));
        return body;
    }

    @PostMapping(path = "/run", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> run(HttpServletRequest request) {
        PostRequests.check(request);
        RetentionService.Run run = retention.run();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("at", run.at().toString());
        body.put("dropped", drops(run.dropped()));
        body.put("records", run.records());
        body.put("blocked", blocked(run.blocked()));
        return body;
    }

    private static List<Map<String, Object>> drops(List<RetentionPlan.Drop> drops) {
        return drops.stream().map(drop -> {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("kind", drop.kind().pathName());
            json.put("month", drop.month().toString());
            json.put("records", drop.records());
            return json;
        }).toList();
    }

    private static List<Map<String, Object>> blocked(List<RetentionPlan.Blocked> blocked) {
        return blocked.stream().map(b -> {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("kind", b.kind().pathName());
            json.put("month", b.month().toString());
            json.put("records", b.records());
            json.put("holds", b.holds().stream().map(Object::toString).toList());
            return json;
        }).toList();
    }

    @ExceptionHandler(LeaseHeldElsewhereException.class)
    ResponseEntity<ProblemDetail> elsewhere(LeaseHeldElsewhereException e) {
        return conflict("retention-elsewhere", "Another replica of this service holds the retention lease and runs "
                + "retention; what it drops shows in GET /api/v1/admin/retention on any replica.");
    }

    @ExceptionHandler(RetentionService.RunningException.class)
    ResponseEntity<ProblemDetail> running(RetentionService.RunningException e) {
        return conflict("retention-running", "A retention run is under way on this replica; ask again when it has "
                + "ended.");
    }

    private static ResponseEntity<ProblemDetail> conflict(String type, String detail) {
        return ResponseEntity.status(HttpStatus.CONFLICT).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(ProblemResponses.problem(HttpStatus.CONFLICT, type, detail));
    }
}
