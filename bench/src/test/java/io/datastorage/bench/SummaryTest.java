package io.datastorage.bench;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The results a run writes: the JSON summary, the table and the chart. */
class SummaryTest {

    @Test
    void writesTheJsonTheTableAndTheChart(@TempDir Path dir) throws Exception {
        Histogram latency = new Histogram(3);
        for (int i = 1; i <= 100; i++) {
            latency.recordValue(i * 1000L); // 1..100 ms
        }
        Summary.Baseline baseline = Summary.Baseline.of(new RawBaselines.Measured("raw inserts", "rows", 100, 0.5, latency));
        Summary.Step slow = Summary.Step.of(new OpenLoop.Step(100, 100, 100, 0, 1.0, latency, null),
                new Summary.Cpu(0.1, 0.8, 0.2), 1.0);
        Summary.Step behind = Summary.Step.of(new OpenLoop.Step(400, 400, 300, 0, 2.0, latency, null),
                new Summary.Cpu(0.2, 1.5, 0.3), null);
        Summary.Scenario scenario = new Summary.Scenario("cached-text writes", "…", 1, List.of(slow, behind));
        Map<String, Double> ratios = new LinkedHashMap<>(Map.of("cached-text writes/s ÷ raw rows/s", 0.75));
        Summary summary = new Summary("quick", "./bench/run.sh --quick", "2026-11-21T00:00:00Z",
                new Summary.Machine(2, "25", "Linux", 4096), List.of(baseline), List.of(scenario), ratios,
                new ArrayList<>(List.of(new Summary.Target("cached-text writes/s", "≥ 2000", 150, false, ""))), List.of());

        summary.writeJson(dir.resolve("summary.json"));
        LatencyChart.write(summary.scenarios(), "test", dir.resolve("chart.png"));

        JsonNode json = JsonMapper.builder().build().readTree(dir.resolve("summary.json").toFile());
        assertThat(json.path("baselines").get(0).path("perSecond").asDouble()).isEqualTo(200.0);
        assertThat(json.path("baselines").get(0).path("p50Ms").asDouble()).isCloseTo(50.0, within(0.1)); // HdrHistogram's 3 digits
        assertThat(json.path("scenarios").get(0).path("steps").get(1).path("throughput").asDouble()).isEqualTo(150.0);
        assertThat(json.path("ratios").path("cached-text writes/s ÷ raw rows/s").asDouble()).isEqualTo(0.75);
        assertThat(json.path("targets").get(0).path("met").asBoolean()).isFalse();
        assertThat(scenario.bestThroughput()).isEqualTo(150.0);
        assertThat(slow.keptUp()).isTrue();
        assertThat(behind.keptUp()).isFalse();
        assertThat(summary.table()).contains("cached-text writes", "MISSED", "raw inserts");
        assertThat(Files.readAllBytes(dir.resolve("chart.png"))).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }

    @Test
    void theSolrCpuFigureAppearsOnlyWhereSolrWasMeasured() {
        JsonMapper json = JsonMapper.builder().build();
        Summary.Cpu single = new Summary.Cpu(0.1, 0.8, 0.2);
        Summary.Cpu cluster = new Summary.Cpu(0.1, 0.8, 0.2, 1.5);

        assertThat(json.readTree(json.writeValueAsString(single)).has("solr")).isFalse();
        assertThat(json.readTree(json.writeValueAsString(cluster)).path("solr").asDouble()).isEqualTo(1.5);
        assertThat(single.format()).isEqualTo("0.1/0.8/0.2");
        assertThat(cluster.format()).isEqualTo("0.1/0.8/0.2/1.5");
    }
}
