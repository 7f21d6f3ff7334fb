package dev.taskcert.server.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import org.slf4j.LoggerFactory;

/** Switches the server's log lines between text (the default) and one JSON object per line. */
final class LogFormat {
  private LogFormat() {}

  /** Applies {@code format}: {@code text} leaves the default configuration, {@code json} replaces it. */
  static void use(String format) {
    if (!"json".equals(format)) {
      return;
    }
    URL configuration = LogFormat.class.getClassLoader().getResource("taskcert-logback-json.xml");
    if (configuration == null || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      throw new IllegalStateException("the JSON log configuration is not on the classpath");
    }
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(configuration);
    } catch (JoranException e) {
      throw new IllegalStateException("cannot configure JSON logging: " + e.getMessage(), e);
    }
  }
}
