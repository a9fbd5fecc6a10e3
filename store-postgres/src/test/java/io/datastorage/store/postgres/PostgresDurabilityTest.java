package io.datastorage.store.postgres;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Which settings make a server lose acknowledged commits (issue 12), and how they are named. */
class PostgresDurabilityTest {

    @ParameterizedTest(name = "fsync={0} synchronous_commit={1} full_page_writes={2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            "on  | on           | on  | ''",
            "on  | remote_write | on  | ''",
            "on  | remote_apply | on  | ''",
            "off | on           | on  | fsync=off (durable: on)",
            "on  | off          | on  | 'synchronous_commit=off (durable: on, remote_apply, remote_write)'",
            "on  | local        | on  | 'synchronous_commit=local (durable: on, remote_apply, remote_write)'",
            "on  | on           | off | full_page_writes=off (durable: on)",
            "off | off          | off | 'fsync=off (durable: on); synchronous_commit=off (durable: on, remote_apply, remote_write); full_page_writes=off (durable: on)'",
    })
    void namesEverySettingThatCanLoseACommit(String fsync, String synchronousCommit, String fullPageWrites, String expected) {
        PostgresDurability.Report report = new PostgresDurability.Report(fsync, synchronousCommit, fullPageWrites);
        assertThat(String.join("; ", report.violations().stream().map(Object::toString).toList())).isEqualTo(expected);
        assertThat(report.durable()).isEqualTo(expected.isEmpty());
    }
}
