package io.datastorage.cache.redis;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisTestServerTest {

    @Test
    void stopsAndRestartsOnTheSamePort() {
        try (RedisTestServer redis = RedisTestServer.start()) {
            int port = redis.port();
            assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + port);
            assertThat(redis.<String>withConnection(r -> r.ping())).isEqualTo("PONG");

            redis.stop();
            assertThat(redis.isRunning()).isFalse();
            assertThatThrownBy(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port));
                }
            }).isInstanceOf(IOException.class);

            redis.restart();
            assertThat(redis.port()).isEqualTo(port);
            assertThat(redis.<String>withConnection(r -> r.ping())).isEqualTo("PONG");
        }
    }
}
