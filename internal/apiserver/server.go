package apiserver

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/berth-project/berth/internal/api/defaults"
	"github.com/berth-project/berth/internal/api/scheme"
	"github.com/berth-project/berth/internal/apiserver/podproxy"
	"github.com/berth-project/berth/internal/satoken"
	clientv3 "go.etcd.io/etcd/client/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/request/bearertoken"
	"k8s.io/apiserver/pkg/authentication/request/union"
	x509request "k8s.io/apiserver/pkg/authentication/request/x509"
	"k8s.io/apiserver/pkg/authentication/token/tokenfile"
	tokenunion "k8s.io/apiserver/pkg/authentication/token/union"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/server/dynamiccertificates"
	genericfilters "k8s.io/apiserver/pkg/server/filters"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	serverstorage "k8s.io/apiserver/pkg/server/storage"
	"k8s.io/apiserver/pkg/storage/storagebackend"
	restclient "k8s.io/client-go/rest"
)

// Config is what the API server needs to run.
type Config struct {
	// BindAddress and Port are where HTTPS is served (default 0.0.0.0:6443).
	BindAddress net.IP
	Port        int
	// AdvertiseAddress is the address other nodes and the `kubernetes`
	// Service use to reach this server.
	AdvertiseAddress net.IP
	// CertFile/KeyFile are the serving certificate, signed by the cluster CA.
	CertFile, KeyFile string
	// CAPEM is the cluster CA, published to every namespace.
	CAPEM []byte
	// Tokens maps bearer tokens to users; the admin token is one of them.
	Tokens map[string]*user.DefaultInfo
	// EtcdEndpoints is where state lives; EtcdClient talks to it directly for
	// the ClusterIP/NodePort allocators.
	EtcdEndpoints []string
	EtcdClient    *clientv3.Client
	// ServiceCIDR is where ClusterIPs come from (default 10.43.0.0/16);
	// NodePortBase/NodePortSize the NodePort range (30000, 2768).
	ServiceCIDR  *net.IPNet
	NodePortBase int
	NodePortSize int
	// StorageMediaType is how objects are encoded in etcd.
	StorageMediaType string
	// AgentToken is the bearer token the API server presents to node agents
	// when it proxies pods/log, exec, attach and portforward to them.
	AgentToken string
	// Tolerations are the DefaultTolerationSeconds admission's times
	// (--default-not-ready/unreachable-toleration-seconds; `berth server`
	// defaults both to Kubernetes' 300 s, zero means evict at once).
	Tolerations DefaultTolerationSeconds
	// SignNodeCSR signs an agent's certificate request for a node
	// identity (NodeCertificatePath); nil serves no such endpoint.
	SignNodeCSR func(csrPEM []byte, node string) ([]byte, error)
	// ServiceAccountKey signs and verifies service account tokens
	// (serviceaccounts/NAME/token, bearer JWTs); nil serves neither.
	// ServiceAccountIssuer is their "iss" and the API's audience (default
	// satoken.DefaultIssuer).
	ServiceAccountKey    *ecdsa.PrivateKey
	ServiceAccountIssuer string
	// JoinServer admits another server into the control plane
	// (ServerJoinPath); nil serves no such endpoint.
	JoinServer func(ctx context.Context, req ServerJoinRequest) (any, error)
}

func (c Config) serviceAccountIssuer() satoken.Issuer {
	return satoken.Issuer{Key: c.ServiceAccountKey, Issuer: c.ServiceAccountIssuer}
}

// apiAudiences are the audiences tokens for this API server carry.
func (c Config) apiAudiences() []string {
	if c.ServiceAccountIssuer != "" {
		return []string{c.ServiceAccountIssuer}
	}
	return []string{satoken.DefaultIssuer}
}

// Server is a running-to-be API server.
type Server struct {
	generic  *genericapiserver.GenericAPIServer
	cfg      Config
	loopback *restclient.Config
	services *serviceAllocation
	// nodes reads Nodes for the pod streaming subresources (podproxy), which
	// find a pod's agent through its Node. The Pod storage is built in the
	// same loop as the Node store, so podproxy gets a getter that reads this
	// field, set by installAPIs once every store exists.
	nodes rest.Getter
	// objects reads pods and service accounts for the node authorizer and
	// the service account token authenticator (set like nodes).
	objects *objectGetters
	// storageClasses lists StorageClasses for the claim admission rules
	// (default class, resize); set by installAPIs like nodes.
	storageClasses rest.Lister
}

// LoopbackConfig returns a client config for in-process components.
func (s *Server) LoopbackConfig() *restclient.Config { return restclient.CopyConfig(s.loopback) }

// AddPostStartHook runs fn once the server serves.
func (s *Server) AddPostStartHook(name string, fn func(ctx context.Context) error) error {
	return s.generic.AddPostStartHook(name, func(hc genericapiserver.PostStartHookContext) error {
		return fn(hc.Context)
	})
}

// Run serves until ctx ends.
func (s *Server) Run(ctx context.Context) error {
	return s.generic.PrepareRun().RunWithContext(ctx)
}

func init() {
	scheme.RegisterDefaulter(defaults.Default)
	if err := registerFieldLabelConversions(); err != nil {
		panic(err)
	}
}

// New assembles the API server: serving, authentication, storage and every
// served resource.
func New(cfg Config) (*Server, error) {
	if cfg.Port == 0 {
		cfg.Port = 6443
	}
	if cfg.StorageMediaType == "" {
		cfg.StorageMediaType = runtime.ContentTypeProtobuf
	}
	gc := genericapiserver.NewConfig(scheme.Codecs)
	gc.EffectiveVersion = newEffectiveVersion()
	// Streams to pods (exec, attach, port-forward, logs -f) live as long as
	// the user keeps them open, like watches.
	gc.LongRunningFunc = genericfilters.BasicLongRunningRequestCheck(sets.NewString("watch", "proxy"), sets.NewString("attach", "exec", "proxy", "log", "portforward"))
	gc.PublicAddress = cfg.AdvertiseAddress

	serving := genericoptions.NewSecureServingOptions().WithLoopback()
	serving.BindAddress = cfg.BindAddress
	serving.BindPort = cfg.Port
	serving.ServerCert.CertKey.CertFile = cfg.CertFile
	serving.ServerCert.CertKey.KeyFile = cfg.KeyFile
	if err := serving.ApplyTo(&gc.SecureServing, &gc.LoopbackClientConfig); err != nil {
		return nil, fmt.Errorf("serving: %w", err)
	}

	objects := &objectGetters{}
	var tokens authenticator.Token = tokenfile.New(cfg.Tokens)
	if cfg.ServiceAccountKey != nil {
		tokens = tokenunion.New(tokens, satoken.Authenticator{
			Issuer: cfg.serviceAccountIssuer(), Audiences: cfg.apiAudiences(), Lookup: objects})
	}
	authn := publicInfoOrToken(bearertoken.New(tokens))
	if len(cfg.CAPEM) > 0 {
		// Client certificates of the cluster CA: the agents' node
		// identities (CN system:node:<name>, O system:nodes).
		clientCA, err := dynamiccertificates.NewStaticCAContent("client-ca", cfg.CAPEM)
		if err != nil {
			return nil, fmt.Errorf("client CA: %w", err)
		}
		gc.SecureServing.ClientCA = clientCA
		authn = union.New(x509request.NewDynamic(clientCA.VerifyOptions, x509request.CommonNameUserConversion), authn)
	}
	gc.Authentication.Authenticator = authn
	// Nodes get the node authorizer's narrow rights; every other
	// authenticated user may do everything (admin, loopback).
	gc.Authorization.Authorizer = authorizer.AuthorizerFunc(nodesOrAllow{nodeAuthorizer{podNode: objects.nodeOf, volumeNode: objects.volumeNodeOf}}.Authorize)

	v2, v3, err := openAPIConfigs()
	if err != nil {
		return nil, err
	}
	gc.OpenAPIConfig, gc.OpenAPIV3Config = v2, v3

	storageConfig := storagebackend.NewDefaultConfig("/registry", nil)
	storageConfig.Transport.ServerList = cfg.EtcdEndpoints
	etcdOpts := genericoptions.NewEtcdOptions(storageConfig)
	etcdOpts.DefaultStorageMediaType = cfg.StorageMediaType
	etcdOpts.EnableWatchCache = true
	encoding := serverstorage.NewDefaultResourceEncodingConfigForEffectiveVersion(scheme.Scheme, gc.EffectiveVersion)
	for _, res := range servedResources {
		gv := res.gvr.GroupVersion()
		encoding.SetResourceEncoding(res.groupResource(), gv, schema.GroupVersion{Group: gv.Group, Version: runtime.APIVersionInternal})
	}
	resourceConfig := serverstorage.NewResourceConfig()
	resourceConfig.EnableVersions(scheme.GroupVersions...)
	factory := serverstorage.NewDefaultStorageFactory(*storageConfig, cfg.StorageMediaType, scheme.Codecs, encoding, resourceConfig, nil)
	if err := etcdOpts.ApplyWithStorageFactoryTo(factory, gc); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}

	completed := gc.Complete(nil)
	generic, err := completed.New("berth-apiserver", genericapiserver.NewEmptyDelegate())
	if err != nil {
		return nil, err
	}
	s := &Server{generic: generic, cfg: cfg, loopback: gc.LoopbackClientConfig, objects: objects}
	if err := s.installAPIs(gc.RESTOptionsGetter); err != nil {
		return nil, err
	}
	s.installNodeCertificate()
	s.installServerJoin()
	return s, nil
}

// installAPIs builds every resource's storage and installs the API groups.
func (s *Server) installAPIs(optsGetter generic.RESTOptionsGetter) error {
	groups := map[string]*genericapiserver.APIGroupInfo{}
	var order []string
	for _, res := range servedResources {
		storages, err := s.storageFor(res, optsGetter)
		if err != nil {
			return fmt.Errorf("%s: %w", res.gvr.GroupResource(), err)
		}
		info, ok := groups[res.gvr.Group]
		if !ok {
			i := genericapiserver.NewDefaultAPIGroupInfo(res.gvr.Group, scheme.Scheme, scheme.ParameterCodec, scheme.Codecs)
			i.PrioritizedVersions = []schema.GroupVersion{res.gvr.GroupVersion()}
			i.VersionedResourcesStorageMap = map[string]map[string]rest.Storage{res.gvr.Version: {}}
			info = &i
			groups[res.gvr.Group] = info
			order = append(order, res.gvr.Group)
		}
		for path, st := range storages {
			info.VersionedResourcesStorageMap[res.gvr.Version][path] = st
		}
	}
	s.nodes = groups[""].VersionedResourcesStorageMap["v1"]["nodes"].(rest.Getter)
	s.objects.pods = groups[""].VersionedResourcesStorageMap["v1"]["pods"].(rest.Getter)
	s.objects.serviceAccounts = groups[""].VersionedResourcesStorageMap["v1"]["serviceaccounts"].(rest.Getter)
	s.objects.persistentVolumes = groups[""].VersionedResourcesStorageMap["v1"]["persistentvolumes"].(rest.Getter)
	if g, ok := groups["storage.k8s.io"]; ok {
		s.storageClasses, _ = g.VersionedResourcesStorageMap["v1"]["storageclasses"].(rest.Lister)
	}
	if err := s.generic.InstallLegacyAPIGroup(genericapiserver.DefaultLegacyAPIPrefix, groups[""]); err != nil {
		return fmt.Errorf("installing core API: %w", err)
	}
	var rest []*genericapiserver.APIGroupInfo
	for _, g := range order {
		if g != "" {
			rest = append(rest, groups[g])
		}
	}
	return s.generic.InstallAPIGroups(rest...)
}

// storageFor builds the REST storage of one resource and its subresources,
// keyed by path ("pods", "pods/status", …).
func (s *Server) storageFor(res resource, optsGetter generic.RESTOptionsGetter) (map[string]rest.Storage, error) {
	var st storeStrategy
	switch res.kind {
	case "Pod":
		st = newPodStrategy(res, s.cfg.Tolerations)
	case "Namespace":
		st = newNamespaceStrategy(res)
	case "PersistentVolumeClaim":
		st = s.newClaimStrategy(res)
	case "PersistentVolume":
		st = newVolumeStrategy(res)
	default:
		st = newStrategy(res)
	}
	store, status, err := newStore(res, st, optsGetter)
	if err != nil {
		return nil, err
	}
	main := &mainREST{Store: store, res: res}
	out := map[string]rest.Storage{res.gvr.Resource: main}
	if status != nil {
		out[res.gvr.Resource+"/status"] = &statusREST{store: status}
	}
	if res.scale {
		out[res.gvr.Resource+"/scale"] = &scaleREST{store: store, res: res}
	}
	switch res.kind {
	case "PersistentVolumeClaim":
		out[res.gvr.Resource] = &claimREST{mainREST: main, s: s}
	case "Pod":
		out["pods/binding"] = &bindingREST{store: store}
		nodes := podproxy.GetterFunc(func(ctx context.Context, name string, o *metav1.GetOptions) (runtime.Object, error) {
			return s.nodes.Get(ctx, name, o)
		})
		for path, st := range podproxy.Storage(store, nodes, s.cfg.AgentToken) {
			out[path] = st
		}
	case "ServiceAccount":
		if s.cfg.ServiceAccountKey != nil {
			out["serviceaccounts/token"] = &tokenREST{issuer: s.cfg.serviceAccountIssuer(), audiences: s.cfg.apiAudiences(), objects: s.objects, now: time.Now}
		}
	case "Namespace":
		store.ShouldDeleteDuringUpdate = shouldDeleteNamespaceDuringUpdate
		if status != nil {
			status.ShouldDeleteDuringUpdate = shouldDeleteNamespaceDuringUpdate
		}
		fin := *store
		fs := finalizeStrategy{st.base()}
		fin.UpdateStrategy = fs
		fin.ResetFieldsStrategy = fs
		fin.CreateStrategy = nil
		fin.DeleteStrategy = nil
		out["namespaces"] = &namespaceREST{mainREST: main}
		out["namespaces/finalize"] = &finalizeREST{store: &fin}
	case "Service":
		alloc, err := newServiceAllocation(s.cfg)
		if err != nil {
			return nil, err
		}
		s.services = alloc
		alloc.install(store, status)
	}
	return out, nil
}

// publicInfoOrToken authenticates by bearer token, and lets the health and
// version endpoints (what load balancers and version probes ask) through as
// the anonymous user, as Kubernetes' default RBAC does.
func publicInfoOrToken(tokens authenticator.Request) authenticator.Request {
	return authenticator.RequestFunc(func(req *http.Request) (*authenticator.Response, bool, error) {
		resp, ok, err := tokens.AuthenticateRequest(req)
		if ok || req.Header.Get("Authorization") != "" {
			return resp, ok, err
		}
		if isPublicInfoPath(req.URL.Path) {
			return &authenticator.Response{User: &user.DefaultInfo{Name: user.Anonymous, Groups: []string{user.AllUnauthenticated}}}, true, nil
		}
		return nil, false, err
	})
}

func isPublicInfoPath(p string) bool {
	switch {
	case p == "/version", p == "/version/":
		return true
	case p == "/healthz", p == "/livez", p == "/readyz":
		return true
	case strings.HasPrefix(p, "/healthz/"), strings.HasPrefix(p, "/livez/"), strings.HasPrefix(p, "/readyz/"):
		return true
	}
	return false
}

// Addr is host:port of the server for clients.
func (c Config) Addr() string {
	host := "127.0.0.1"
	if c.AdvertiseAddress != nil {
		host = c.AdvertiseAddress.String()
	}
	return net.JoinHostPort(host, strconv.Itoa(c.Port))
}
