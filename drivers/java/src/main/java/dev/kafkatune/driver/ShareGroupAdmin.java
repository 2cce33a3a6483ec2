package dev.kafkatune.driver;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;

/**
 * {@code java -cp ... dev.kafkatune.driver.ShareGroupAdmin configure ADMIN_PROPERTIES GROUP NAME=VALUE...}:
 * sets a share group's own configuration (share.auto.offset.reset, share.record.lock.duration.ms,
 * ...) with {@code incrementalAlterConfigs} on the GROUP resource, before its members start.
 *
 * <p>Why Java: the rdkafka crate (0.39) has only the legacy, non-incremental AlterConfigs,
 * and librdkafka 2.12.1's resource types stop before Kafka's GROUP config resource (type 32,
 * KIP-848/KIP-932), so kafkatune's own admin cannot reach group configs. This is what
 * {@code kafka-configs.sh --entity-type groups --alter --add-config} sends.
 *
 * <p>Exit 0 when the broker accepted every setting; 1 with the broker's own message as the
 * last stderr line ({@code refused: ...}) when it did not; 2 on bad arguments.
 */
public final class ShareGroupAdmin {
    private static final long TIMEOUT_S = 30;

    private ShareGroupAdmin() {}

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        if (args.length < 3 || !"configure".equals(args[0])) {
            System.err.println("usage: ShareGroupAdmin configure ADMIN_PROPERTIES GROUP NAME=VALUE...");
            System.exit(2);
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
            props.load(in);
        } catch (Exception e) {
            System.err.println("refused: cannot read " + args[1] + ": " + Main.oneLine(e));
            System.exit(2);
        }
        List<AlterConfigOp> ops = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                System.err.println("refused: expected NAME=VALUE, got " + args[i]);
                System.exit(2);
            }
            ops.add(new AlterConfigOp(new ConfigEntry(args[i].substring(0, eq), args[i].substring(eq + 1)), AlterConfigOp.OpType.SET));
        }
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, args[2]);
        try (Admin admin = Admin.create(props)) {
            admin.incrementalAlterConfigs(Map.of(group, ops)).all().get(TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // The broker's own words: InvalidConfigurationException and its message.
            Throwable cause = e.getCause() == null ? e : e.getCause();
            System.err.println("refused: " + cause.getMessage());
            System.exit(1);
        } catch (Exception e) {
            System.err.println("refused: " + Main.oneLine(e));
            System.exit(1);
        }
        System.exit(0);
    }
}
