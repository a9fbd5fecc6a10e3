package io.datastorage.server;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The Spring Boot application. Started by {@code datastorage serve}; see {@code cli.DatastorageCli}. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class DatastorageApplication {
}
