package io.datastorage.bench;

import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The read set's shape: Zipf-like repeats plus unique texts, counts exact. */
class RepeatedTextsTest {

    @Test
    void theDefaultShapePutsTheMostFrequentTextOnMoreThanFiveThousandOfAHundredThousandRecords() {
        RepeatedTexts set = RepeatedTexts.of(100_000, 3_000, 1.0, 0.10, 1L);

        assertThat(set.records()).isEqualTo(100_000);
        assertThat(set.uniqueTexts()).isEqualTo(10_000);
        assertThat(set.distinctTexts()).isEqualTo(13_000);
        assertThat(set.topCount()).isGreaterThanOrEqualTo(5_000);
        assertThat(set.count(1)).isBetween(set.topCount() / 2 - 5, set.topCount() / 2 + 5);
    }

    @Test
    void everyRecordCarriesOneTextAndEveryTextIsCarriedAsOftenAsItsCountSays() {
        RepeatedTexts set = RepeatedTexts.of(20_000, 500, 1.2, 0.05, 2L);

        int[] seen = new int[set.distinctTexts()];
        IntStream.range(0, set.records()).forEach(r -> seen[set.textOf(r)]++);
        for (int t = 0; t < set.distinctTexts(); t++) {
            assertThat(seen[t]).as("text %d", t).isEqualTo(set.count(t)).isPositive();
            if (set.isUnique(t)) {
                assertThat(seen[t]).isEqualTo(1);
            }
        }
        for (int t = 1; t < set.zipfTexts(); t++) {
            assertThat(set.count(t)).isLessThanOrEqualTo(set.count(t - 1));
        }
    }

    @Test
    void aFlatTailStillGivesEveryRepeatedTextARecord() {
        RepeatedTexts set = RepeatedTexts.of(1_000, 900, 1.0, 0.0, 3L);

        assertThat(IntStream.range(0, set.distinctTexts()).map(set::count).sum()).isEqualTo(1_000);
        assertThat(IntStream.range(0, set.distinctTexts()).map(set::count).min().orElseThrow()).isEqualTo(1);
    }

    @Test
    void repeatsAreSpreadOverTheSetNotGrouped() {
        RepeatedTexts set = RepeatedTexts.of(10_000, 100, 1.0, 0.1, 4L);

        long topInFirstTenth = IntStream.range(0, 1_000).filter(r -> set.textOf(r) == 0).count();
        assertThat(topInFirstTenth).isBetween(set.topCount() / 10L - 60, set.topCount() / 10L + 60);
    }

    @Test
    void refusesMoreRepeatedTextsThanRecordsToCarryThem() {
        assertThatIllegalArgumentException().isThrownBy(() -> RepeatedTexts.of(100, 95, 1.0, 0.1, 5L))
                .withMessageContaining("zipfTexts must be 1..90").withMessageContaining("was 95");
    }
}
