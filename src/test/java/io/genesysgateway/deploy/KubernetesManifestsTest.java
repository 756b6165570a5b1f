package io.genesysgateway.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.google.gson.JsonParser;
import io.genesysgateway.status.HealthAnswer;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1EnvFromSource;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/kubernetes as Kubernetes reads it: every document is checked against Kubernetes' own models (generated from
 * its OpenAPI, they refuse a field Kubernetes does not define and a missing required one), kubectl builds the
 * kustomization, and what the manifests say about the gateway is what the gateway does: probe paths it serves,
 * environment variables application.properties names, its port and the image's user. (kubectl's
 * {@code apply --dry-run=client} needs a cluster's API server even so; there is none here.)
 */
class KubernetesManifestsTest {

    private static final Path DIR = Path.of("deploy/kubernetes");
    private static final Path KUBECTL = Path.of("/usr/bin/kubectl");
    private static final Map<String, Class<?>> MODELS = Map.of(
            "v1/ServiceAccount", V1ServiceAccount.class, "rbac.authorization.k8s.io/v1/Role", V1Role.class,
            "rbac.authorization.k8s.io/v1/RoleBinding", V1RoleBinding.class, "v1/ConfigMap", V1ConfigMap.class,
            "v1/Secret", V1Secret.class, "v1/PersistentVolumeClaim", V1PersistentVolumeClaim.class,
            "apps/v1/Deployment", V1Deployment.class, "v1/Service", V1Service.class,
            "policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class);

    /** Every object of every manifest, by kind, as Kubernetes' model. */
    private static final Map<String, Object> objects = new LinkedHashMap<>();
    private static final List<String> files = new ArrayList<>();

    @BeforeAll
    static void loadEveryDocument() throws Exception {
        try (Stream<Path> list = Files.list(DIR)) {
            for (Path file : list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                if (file.getFileName().toString().equals("kustomization.yaml")) {
                    continue;
                }
                files.add(file.getFileName().toString());
                for (Object document : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(file))) {
                    String json = JsonObject.mapFrom(document).encode();
                    JsonObject object = new JsonObject(json);
                    String type = object.getString("apiVersion") + "/" + object.getString("kind");
                    Class<?> model = MODELS.get(type);
                    assertThat(model).as(file + ": " + type + " is a kind these manifests are meant to hold").isNotNull();
                    // throws on a field the kind does not define (a typo), or a required one missing
                    model.getMethod("validateJsonElement", com.google.gson.JsonElement.class)
                            .invoke(null, JsonParser.parseString(json));
                    Object previous = objects.put(object.getString("kind") + "/" + object.getJsonObject("metadata")
                            .getString("name"), model.getMethod("fromJson", String.class).invoke(null, json));
                    assertThat(previous).as(file + ": one object of each kind and name").isNull();
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T object(String kindAndName) {
        T object = (T) objects.get(kindAndName);
        assertThat(object).as(kindAndName).isNotNull();
        return object;
    }

    private static V1Deployment deployment() {
        return object("Deployment/genesys-gateway");
    }

    private static V1Container container() {
        return deployment().getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    @Test
    void theManifestsHoldWhatTheDeploymentNeeds() {
        assertThat(objects.keySet()).containsExactlyInAnyOrder("ServiceAccount/genesys-gateway",
                "Role/genesys-gateway-lease", "RoleBinding/genesys-gateway-lease", "ConfigMap/genesys-gateway-settings",
                "Secret/genesys-gateway", "PersistentVolumeClaim/genesys-gateway-data", "Deployment/genesys-gateway",
                "Service/genesys-gateway", "PodDisruptionBudget/genesys-gateway");
        // one gateway per store until the cluster mode elects a leader; the old pod lets go of the store first
        assertThat(deployment().getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment().getSpec().getStrategy().getType()).isEqualTo("Recreate");
        assertThat(container().getResources().getLimits()).containsKey("memory");
        assertThat(container().getResources().getRequests()).containsKeys("cpu", "memory");
    }

    @Test
    void theProbesAskPathsTheGatewayServes() {
        V1Container c = container();
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/observe/health/ready");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/observe/health/live");
        assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/observe/health/live");
        assertThat(HealthAnswer.kind(c.getReadinessProbe().getHttpGet().getPath())).isEqualTo("ready");
        assertThat(HealthAnswer.kind(c.getLivenessProbe().getHttpGet().getPath())).isEqualTo("live");
        for (var probe : List.of(c.getReadinessProbe(), c.getLivenessProbe(), c.getStartupProbe())) {
            assertThat(probe.getHttpGet().getPort().toString()).isEqualTo("http");
        }
    }

    @Test
    void onePortEverywhere() throws Exception {
        V1Container c = container();
        assertThat(c.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getContainerPort()).isEqualTo(8080);
        });
        assertThat(env(c)).containsEntry("GATEWAY_PORT", "8080");
        assertThat(Files.readString(Path.of("pom.xml"))).as("the image exposes the same port").contains("<port>8080</port>");
        V1Service service = object("Service/genesys-gateway");
        assertThat(service.getSpec().getPorts()).singleElement()
                .satisfies(p -> assertThat(p.getTargetPort().toString()).isEqualTo("http"));
        Map<String, String> labels = deployment().getSpec().getTemplate().getMetadata().getLabels();
        assertThat(labels).containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(labels).containsAllEntriesOf(deployment().getSpec().getSelector().getMatchLabels());
        V1PodDisruptionBudget pdb = object("PodDisruptionBudget/genesys-gateway");
        assertThat(labels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        Map<String, String> scrape = deployment().getSpec().getTemplate().getMetadata().getAnnotations();
        assertThat(scrape).containsEntry("prometheus.io/port", "8080").containsEntry("prometheus.io/path", "/observe/metrics");
    }

    @Test
    void everyVariableIsOneApplicationPropertiesNames() throws Exception {
        Set<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("\\[([A-Z][A-Z0-9_]*)]").matcher(Files.readString(Path.of("application.properties")));
        while (m.find()) {
            documented.add(m.group(1));
        }
        V1Container c = container();
        Set<String> used = new TreeSet<>(env(c).keySet());
        for (V1EnvFromSource from : c.getEnvFrom()) {
            if (from.getSecretRef() != null) {
                used.addAll(this.<V1Secret>object("Secret/" + from.getSecretRef().getName()).getStringData().keySet());
            } else {
                used.addAll(this.<V1ConfigMap>object("ConfigMap/" + from.getConfigMapRef().getName()).getData().keySet());
            }
        }
        assertThat(used).contains("GENESYS_CLIENT_ID", "GENESYS_CLIENT_SECRET", "GATEWAY_API_KEY", "HISTORY_URL",
                "GATEWAY_ROUTES_DIR", "STORE_DATA_DIR");
        assertThat(documented).as("variables application.properties names").containsAll(used);
        V1Secret secret = object("Secret/genesys-gateway");
        assertThat(secret.getStringData().keySet())
                .containsExactlyInAnyOrder("GENESYS_CLIENT_ID", "GENESYS_CLIENT_SECRET", "GATEWAY_API_KEY");
    }

    @Test
    void routesAndStoreComeFromTheirVolumes() {
        V1PodSpec pod = deployment().getSpec().getTemplate().getSpec();
        Map<String, String> env = env(container());
        V1Volume routes = volumeAt(pod, env.get("GATEWAY_ROUTES_DIR").replaceFirst("^file:", ""));
        assertThat(env.get("GATEWAY_ROUTES_DIR")).startsWith("file:/");
        assertThat(routes.getConfigMap().getName()).isEqualTo("genesys-gateway-routes");
        V1Volume data = volumeAt(pod, env.get("STORE_DATA_DIR"));
        assertThat(objects).containsKey("PersistentVolumeClaim/" + data.getPersistentVolumeClaim().getClaimName());
        assertThat(container().getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(volumeAt(pod, "/tmp").getEmptyDir()).as("a writable /tmp for the SQLite driver").isNotNull();
    }

    @Test
    void itRunsAsTheImagesNonRootUser() throws Exception {
        var security = deployment().getSpec().getTemplate().getSpec().getSecurityContext();
        assertThat(security.getRunAsNonRoot()).isTrue();
        assertThat(Files.readString(Path.of("pom.xml")))
                .contains("<user>" + security.getRunAsUser() + ":" + security.getRunAsGroup() + "</user>");
        assertThat(container().getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    }

    @Test
    void theServiceAccountMayHoldALease() {
        V1PodSpec pod = deployment().getSpec().getTemplate().getSpec();
        assertThat(objects).containsKey("ServiceAccount/" + pod.getServiceAccountName());
        V1RoleBinding binding = object("RoleBinding/genesys-gateway-lease");
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(pod.getServiceAccountName());
        });
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        V1Role role = object("Role/" + binding.getRoleRef().getName());
        assertThat(role.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getApiGroups()).containsExactly("coordination.k8s.io");
            assertThat(rule.getResources()).containsExactly("leases");
            // take, renew, hand over, and watch the holder
            assertThat(rule.getVerbs()).contains("get", "create", "update", "watch");
        });
    }

    @Test
    void kubectlBuildsTheKustomizationOfEveryManifest() throws Exception {
        String kustomization = Files.readString(DIR.resolve("kustomization.yaml"));
        assertThat(files).allSatisfy(f -> assertThat(kustomization).contains("  - " + f + "\n"));
        kubectlPresent();
        String built = kubectl("kustomize", DIR.toString());
        List<String> kinds = new ArrayList<>();
        for (Object document : new Load(LoadSettings.builder().build()).loadAllFromString(built)) {
            JsonObject object = JsonObject.mapFrom(document);
            kinds.add(object.getString("kind") + "/" + object.getJsonObject("metadata").getString("name"));
        }
        assertThat(kinds).containsExactlyInAnyOrderElementsOf(objects.keySet());
    }

    @Test
    void theRoutesFolderFitsInAConfigMap() throws Exception {
        kubectlPresent();
        // the README's command, without a cluster
        String configMap = kubectl("create", "configmap", "genesys-gateway-routes", "--from-file=src/main/routes",
                "--dry-run=client", "-o", "json");
        V1ConfigMap routes = V1ConfigMap.fromJson(configMap);
        try (Stream<Path> list = Files.list(Path.of("src/main/routes"))) {
            for (Path file : list.toList()) {
                assertThat(routes.getData().get(file.getFileName().toString())).as(file.toString())
                        .isEqualTo(Files.readString(file));
            }
        }
        System.out.printf("K8S routes ConfigMap %d bytes (Kubernetes' limit: 1 MiB)%n", configMap.length());
        assertThat(configMap.length()).isLessThan(1 << 20);
    }

    private static void kubectlPresent() {
        if (System.getenv("REQUIRE_KUBECTL") == null) {
            Assumptions.assumeTrue(Files.isExecutable(KUBECTL), "kubectl is not installed (apt-get install kubernetes-client)");
        }
    }

    private static String kubectl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(KUBECTL.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("kubectl " + String.join(" ", args)).isZero();
        return out;
    }

    private static Map<String, String> env(V1Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (V1EnvVar e : c.getEnv()) {
            env.put(e.getName(), e.getValue());
        }
        return env;
    }

    private static V1Volume volumeAt(V1PodSpec pod, String path) {
        V1VolumeMount mount = pod.getContainers().get(0).getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(path)).findFirst().orElseThrow(() -> new AssertionError("no volume at " + path));
        return pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
    }
}
