package io.datastorage.core.embedding;

import io.datastorage.core.error.TransientException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class BatchingEmbedderTest {
    private final GatedEmbedder model = new GatedEmbedder();
    private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
    private BatchingEmbedder batcher;

    @AfterEach
    void stop() {
        model.open.countDown();
        if (batcher != null) {
            batcher.close();
        }
        callers.shutdownNow();
    }

    @Test
    void aLoneCallerGetsItsVectorsInOneCall() {
        model.open.countDown();
        batcher = new BatchingEmbedder(model, 64, Duration.ofSeconds(5), 1);

        List<float[]> vectors = batcher.embed(List.of("a", "b"));

        assertThat(vectors).hasSize(2);
        assertThat(vectors.get(0)).containsExactly(RecordingEmbedder.vectorOf("a"));
        assertThat(vectors.get(1)).containsExactly(RecordingEmbedder.vectorOf("b"));
        assertThat(model.calls()).containsExactly(List.of("a", "b"));
    }

    @Test
    void callersThatArriveWhileTheModelIsBusyShareTheNextCall() throws Exception {
        batcher = new BatchingEmbedder(model, 64, Duration.ofMillis(50), 1);
        Future<List<float[]>> first = callers.submit(() -> batcher.embed(List.of("first")));
        await().until(() -> model.calls().size() == 1);

        List<Future<List<float[]>>> others = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            String text = "caller-" + i;
            others.add(callers.submit(() -> batcher.embed(List.of(text))));
        }
        await().until(() -> batcher.waiting() == 7);
        model.open.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS).getFirst()).containsExactly(RecordingEmbedder.vectorOf("first"));
        for (int i = 0; i < 7; i++) {
            assertThat(others.get(i).get(10, TimeUnit.SECONDS).getFirst())
                    .containsExactly(RecordingEmbedder.vectorOf("caller-" + i));
        }
        assertThat(model.calls()).hasSize(2);
        assertThat(model.calls().get(1)).hasSize(7);
    }

    @Test
    void eachWorkerRunsItsOwnBatchSideBySide() throws Exception {
        batcher = new BatchingEmbedder(model, 64, Duration.ofMillis(50), 2);
        Future<List<float[]>> first = callers.submit(() -> batcher.embed(List.of("first")));
        await().until(() -> model.calls().size() == 1);
        Future<List<float[]>> second = callers.submit(() -> batcher.embed(List.of("second")));

        await().until(() -> model.calls().size() == 2); // while the first call is still blocked
        model.open.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS).getFirst()).containsExactly(RecordingEmbedder.vectorOf("first"));
        assertThat(second.get(10, TimeUnit.SECONDS).getFirst()).containsExactly(RecordingEmbedder.vectorOf("second"));
    }

    @Test
    void noBatchExceedsTheMaximumExceptARequestLargerThanIt() throws Exception {
        batcher = new BatchingEmbedder(model, 5, Duration.ofMillis(50), 1);
        Future<List<float[]>> blocker = callers.submit(() -> batcher.embed(List.of("blocker")));
        await().until(() -> model.calls().size() == 1);
        List<Future<List<float[]>>> requests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            List<String> texts = List.of("r" + i + "-1", "r" + i + "-2");
            requests.add(callers.submit(() -> batcher.embed(texts)));
        }
        List<String> large = IntStream.range(0, 9).mapToObj(i -> "large-" + i).toList();
        requests.add(callers.submit(() -> batcher.embed(large)));
        await().until(() -> batcher.waiting() == 7);
        model.open.countDown();

        blocker.get(10, TimeUnit.SECONDS);
        for (Future<List<float[]>> request : requests) {
            assertThat(request.get(10, TimeUnit.SECONDS)).isNotEmpty();
        }
        assertThat(requests.getLast().get().get(8)).containsExactly(RecordingEmbedder.vectorOf("large-8"));
        assertThat(model.calls().subList(1, model.calls().size()))
                .allSatisfy(call -> assertThat(call.size() <= 5 || call.equals(large)).isTrue());
        assertThat(model.textsEmbedded()).isEqualTo(1 + 12 + 9);
    }

    @Test
    void aModelFailureReachesEveryCallerOfTheBatchInItsBranch() throws Exception {
        model.failWith = new EmbedderUnavailableException("endpoint answered 503", null);
        batcher = new BatchingEmbedder(model, 64, Duration.ofMillis(50), 1);
        Future<List<float[]>> first = callers.submit(() -> batcher.embed(List.of("first")));
        await().until(() -> model.calls().size() == 1);
        Future<List<float[]>> second = callers.submit(() -> batcher.embed(List.of("second")));
        Future<List<float[]>> third = callers.submit(() -> batcher.embed(List.of("third")));
        await().until(() -> batcher.waiting() == 2);
        model.open.countDown();

        for (Future<List<float[]>> future : List.of(first, second, third)) {
            assertThat(CompletableFuture.supplyAsync(() -> {
                try {
                    future.get();
                    return null;
                } catch (Exception e) {
                    return e.getCause();
                }
            }).get()).isInstanceOfSatisfying(EmbedderUnavailableException.class, e -> {
                assertThat(e).isInstanceOf(TransientException.class);
                assertThat(e).hasMessageContaining("503");
            });
        }
        assertThat(model.calls()).hasSize(2);
    }

    @Test
    void closingFailsWaitingAndLaterCallersAsTransient() throws Exception {
        batcher = new BatchingEmbedder(model, 64, Duration.ofMillis(50), 1);
        Future<List<float[]>> running = callers.submit(() -> batcher.embed(List.of("running")));
        await().until(() -> model.calls().size() == 1);
        Future<List<float[]>> waiting = callers.submit(() -> batcher.embed(List.of("waiting")));
        await().until(() -> batcher.waiting() == 1);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(batcher::close);
        await().until(() -> waiting.isDone());
        model.open.countDown();
        closing.get(10, TimeUnit.SECONDS);

        assertThat(running.get(10, TimeUnit.SECONDS).getFirst()).containsExactly(RecordingEmbedder.vectorOf("running"));
        assertThat(waiting.state()).isEqualTo(Future.State.FAILED);
        assertThat(waiting.exceptionNow()).isInstanceOf(EmbedderUnavailableException.class);
        assertThatThrownBy(() -> batcher.embed(List.of("late")))
                .isInstanceOf(EmbedderUnavailableException.class);
        assertThat(model.calls()).hasSize(1);
    }

    @Test
    void aCallerWaitsAtMostItsOwnLimitAndItsTextsNeverReachTheModel() throws Exception {
        batcher = new BatchingEmbedder(model, 64, Duration.ZERO, 1);
        Future<List<float[]>> patient = callers.submit(() -> batcher.embed(List.of("patient")));
        await().until(() -> model.calls().size() == 1); // the only worker is busy

        assertThatThrownBy(() -> batcher.embed(List.of("hasty"), Duration.ofMillis(100)))
                .isInstanceOf(EmbedderUnavailableException.class)
                .hasMessageContaining("time limit");
        model.open.countDown();

        assertThat(patient.get(10, TimeUnit.SECONDS)).hasSize(1);
        assertThat(batcher.waiting()).isZero();
        assertThat(model.calls()).containsExactly(List.of("patient"));
    }

    @Test
    void aBatchGetsTheLongestTimeAnyOfItsCallersHasLeft() throws Exception {
        batcher = new BatchingEmbedder(model, 64, Duration.ofMillis(50), 1);
        Future<List<float[]>> first = callers.submit(() -> batcher.embed(List.of("first"), Duration.ofSeconds(30)));
        await().until(() -> model.calls().size() == 1);
        Future<List<float[]>> brief = callers.submit(() -> batcher.embed(List.of("brief"), Duration.ofSeconds(60)));
        Future<List<float[]>> ample = callers.submit(() -> batcher.embed(List.of("ample"), Duration.ofMinutes(10)));
        await().until(() -> batcher.waiting() == 2);
        model.open.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).hasSize(1);
        assertThat(brief.get(10, TimeUnit.SECONDS)).hasSize(1);
        assertThat(ample.get(10, TimeUnit.SECONDS)).hasSize(1);
        assertThat(model.calls()).hasSize(2);
        assertThat(model.limits.get(1)).isGreaterThan(Duration.ofMinutes(9)).isLessThanOrEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void noTimeLeftFailsAtOnceWithoutQueueing() {
        model.open.countDown();
        batcher = new BatchingEmbedder(model, 64, Duration.ZERO, 1);

        assertThatThrownBy(() -> batcher.embed(List.of("late"), Duration.ZERO))
                .isInstanceOf(EmbedderUnavailableException.class);
        assertThat(model.calls()).isEmpty();
    }

    @Test
    void refusesSettingsThatCannotWork() {
        assertThatThrownBy(() -> new BatchingEmbedder(model, 0, Duration.ZERO, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBatchSize");
        assertThatThrownBy(() -> new BatchingEmbedder(model, 1, Duration.ZERO, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workers");
        assertThatThrownBy(() -> new BatchingEmbedder(model, 1, Duration.ofMillis(-1), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxWait");
    }

    /** Records calls; every call waits until the gate opens, then answers or fails. */
    private static final class GatedEmbedder extends RecordingEmbedder {
        final CountDownLatch open = new CountDownLatch(1);
        final List<Duration> limits = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile RuntimeException failWith;

        @Override
        public List<float[]> embed(List<String> texts, Duration timeLimit) {
            limits.add(timeLimit);
            return embed(texts);
        }

        @Override
        public List<float[]> embed(List<String> texts) {
            List<float[]> vectors = super.embed(texts);
            try {
                open.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EmbedderUnavailableException("interrupted", e);
            }
            if (failWith != null) {
                throw failWith;
            }
            return vectors;
        }
    }
}
