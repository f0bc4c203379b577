package archive;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Starts a local OpenSearch cluster of N nodes in one JVM, each a full node with its own data
 * directory, HTTP port and transport port on 127.0.0.1, discovering each other over TCP.
 *
 * Usage: LocalCluster BASE_DIR NODES HTTP_PORT TRANSPORT_PORT CLUSTER_NAME
 *
 * Runs until the process gets SIGTERM or SIGINT, then closes every node. For development, tests
 * and CI only: production runs OpenSearch's own distribution (docs/opensearch.md).
 */
public final class LocalCluster {

    /** Node's constructor that takes classpath plugins is protected; this is the whole reason for the subclass. */
    static final class PluginNode extends Node {
        PluginNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    public static void main(String[] args) throws Exception {
        Path base = Paths.get(args[0]).toAbsolutePath();
        int nodes = Integer.parseInt(args[1]);
        int httpPort = Integer.parseInt(args[2]);
        int transportPort = Integer.parseInt(args[3]);
        String clusterName = args[4];

        List<String> seeds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            seeds.add("127.0.0.1:" + (transportPort + i));
            names.add("node-" + i);
        }
        LogConfigurator.configureWithoutConfig(Settings.builder().put("path.home", base.toString()).build());

        Collection<Class<? extends Plugin>> plugins = List.of(Netty4Plugin.class, CommonAnalysisPlugin.class);
        List<Node> started = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Node node : started) {
                try {
                    node.close();
                } catch (Exception e) {
                    System.err.println("closing " + node + ": " + e);
                }
            }
        }));

        for (int i = 0; i < nodes; i++) {
            Path home = base.resolve(names.get(i));
            Files.createDirectories(home.resolve("config"));
            Settings settings = Settings.builder()
                .put("cluster.name", clusterName)
                .put("node.name", names.get(i))
                .put("path.home", home.toString())
                .put("path.data", home.resolve("data").toString())
                .put("path.logs", home.resolve("logs").toString())
                .put("network.host", "127.0.0.1")
                .put("http.port", httpPort + i)
                .put("transport.port", transportPort + i)
                .put("http.type", "netty4")
                .put("transport.type", "netty4")
                .putList("discovery.seed_hosts", seeds)
                .putList("cluster.initial_cluster_manager_nodes", names)
                // Small machines: keep the disk watermarks from making indices read-only in tests.
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .put("action.auto_create_index", false)
                .build();
            Environment environment = InternalSettingsPreparer.prepareEnvironment(
                settings, java.util.Map.of(), home.resolve("config"), () -> names.get(started.size()));
            Node node = new PluginNode(environment, plugins);
            node.start();
            started.add(node);
            System.out.println("started " + names.get(i) + " http://127.0.0.1:" + (httpPort + i));
        }
        System.out.println("cluster " + clusterName + " running with " + nodes + " nodes");
        Thread.currentThread().join();
    }
}
