package io.datastorage.server.retention;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.server.RunningService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code datastorage.retention.*} settings: kinds by path name, periods above zero, an interval in range. */
@ExtendWith(OutputCaptureExtension.class)
class RetentionSettingsTest {

    @Test
    void aKindWithoutAPeriodIsKeptForever() {
        RetentionProperties properties = new RetentionProperties(Map.of("execution", Duration.ofDays(400)),
                Duration.ofHours(1));

        assertThat(properties.policy().period(AuditKind.EXECUTION)).contains(Duration.ofDays(400));
        assertThat(properties.policy().period(AuditKind.REMEDIATION)).isEmpty();
        assertThat(new RetentionProperties(null, Duration.ofHours(1)).policy().any()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "datastorage.retention.periods.audit|30d|names no kind: the kinds are remediation, aianalysis, workflow, execution",
            "datastorage.retention.periods.workflow|0s|must be a duration of more than zero",
            "datastorage.retention.periods.remediation|-5d|must be a duration of more than zero",
            "datastorage.retention.interval|10s|must be 1m..7d"})
    void refusesToStartWithABadSetting(String property, String value, String allowed, CapturedOutput output) {
        assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(), "--" + property + "=" + value).close())
                .isNotNull();

        assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
                .contains(property)
                .contains(allowed);
    }
}
