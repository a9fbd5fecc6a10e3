package io.datastorage.server.web;

import jakarta.servlet.ServletException;
import org.apache.catalina.Context;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.catalina.valves.ValveBase;
import org.apache.tomcat.util.descriptor.web.ErrorPage;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

import java.io.IOException;
import java.util.Arrays;

/**
 * Every answer the servlet container gives itself is problem+json ({@link ProblemReportValve}),
 * on the API port and on the management port alike.
 * <p>
 * Spring Boot forwards container errors to {@code /error}, whose controller answers its own JSON
 * shape (or HTML), and installs Tomcat's HTML {@link ErrorReportValve} for what never reaches the
 * application. Here both are replaced by one mechanism, Tomcat's own extension point for error
 * reports: the {@code /error} forwards are removed from each context and the host's report valve
 * is ours. Errors that Spring MVC handles (404 for an unknown path, 405, 406, 415, the API's own
 * problems) never get here: {@link ProblemResponses} answers them.
 */
@Configuration(proxyBeanMethods = false)
public class ContainerErrors {

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReports() {
        return new Customizer();
    }

    /**
     * The same for the management server's child context (listed in
     * ManagementContextConfiguration.imports), which has no {@link CorrelationIdFilter}: a valve
     * gives its answers the correlation id. (Being nested, it is also read in the main context,
     * where installing twice changes nothing and the filter keeps the valve's id.)
     */
    @ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
    public static class ManagementChild {
        @Bean
        WebServerFactoryCustomizer<TomcatServletWebServerFactory> managementProblemErrorReports() {
            return new Customizer(true);
        }

        /** The main context's filter is a component there; the management port needs its own. */
        @Bean
        UnusableContentTypeFilter managementUnusableContentTypeFilter() {
            return new UnusableContentTypeFilter();
        }

        /** Likewise: the actuator parses each path the way that filter checks first. */
        @Bean
        UndecodablePathFilter managementUndecodablePathFilter() {
            return new UndecodablePathFilter();
        }
    }

    /** Runs after Spring Boot's customizers, so that their report valve is there to be replaced. */
    static final class Customizer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {
        private final boolean correlationIds;

        Customizer(boolean correlationIds) {
            this.correlationIds = correlationIds;
        }

        Customizer() {
            this(false);
        }

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextCustomizers(context -> {
                install(context);
                if (correlationIds && Arrays.stream(context.getPipeline().getValves()).noneMatch(CorrelationIdValve.class::isInstance)) {
                    context.getPipeline().addValve(new CorrelationIdValve());
                }
            });
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }

    /** Gives every answer of a context without {@link CorrelationIdFilter} an {@code X-Correlation-ID}. */
    static final class CorrelationIdValve extends ValveBase {
        CorrelationIdValve() {
            super(true);
        }

        @Override
        public void invoke(Request request, Response response) throws IOException, ServletException {
            if (response.getHeader(CorrelationIdFilter.HEADER) == null) {
                response.setHeader(CorrelationIdFilter.HEADER, CorrelationIdFilter.idFor(request.getHeader(CorrelationIdFilter.HEADER)));
            }
            getNext().invoke(request, response);
        }
    }

    static void install(Context context) {
        for (ErrorPage page : context.findErrorPages()) {
            context.removeErrorPage(page);
        }
        StandardHost host = (StandardHost) context.getParent();
        for (Valve valve : host.getPipeline().getValves()) {
            if (valve instanceof ErrorReportValve && !(valve instanceof ProblemReportValve)) {
                host.getPipeline().removeValve(valve);
            }
        }
        // The host adds a valve of this class at start unless one is there: ours, not Tomcat's.
        host.setErrorReportValveClass(ProblemReportValve.class.getName());
        if (Arrays.stream(host.getPipeline().getValves()).noneMatch(ProblemReportValve.class::isInstance)) {
            host.getPipeline().addValve(new ProblemReportValve());
        }
    }
}
