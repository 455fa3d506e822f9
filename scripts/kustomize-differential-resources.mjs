/**
 * The resources the kustomize differential cases share (see
 * generate-kustomize-differential.mjs): a Deployment, Service, RBAC objects, a StatefulSet, an
 * Ingress, a CronJob, files for generators, and the base kustomization over them.
 */
export const deployment = (name = 'web', extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      serviceAccountName: ${name}-sa
      containers:
      - name: main
        image: nginx:1.25
        envFrom:
        - configMapRef:
            name: ${name}-config
        - secretRef:
            name: ${name}-secret
        volumeMounts:
        - name: data
          mountPath: /data
      - name: sidecar
        image: docker.io/busybox:1.36
        args: ["sleep", "3600"]
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: ${name}-data
      - name: cfg
        configMap:
          name: ${name}-config
${extra}`;

export const service = (name = 'web') => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app: ${name}
  ports:
  - name: http
    port: 80
    targetPort: 8080
`;

export const extras = (name = 'web') => `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}-sa
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${name}-data
spec:
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ${name}-role
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ${name}-binding
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: ${name}-role
subjects:
- kind: ServiceAccount
  name: ${name}-sa
  namespace: default
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ${name}-crb
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
- kind: ServiceAccount
  name: ${name}-sa
  namespace: default
`;

export const statefulSet = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 2
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: db
        image: postgres:16@sha256:0000000000000000000000000000000000000000000000000000000000000000
        env:
        - name: PASSWORD
          valueFrom:
            secretKeyRef:
              name: web-secret
              key: password
`;

export const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  rules:
  - host: example.org
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
`;

export const cronJob = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: report
            image: alpine
            command: ["sh", "-c", "echo hi"]
`;

export const baseFiles = {
  'base/deployment.yaml': deployment(),
  'base/service.yaml': service(),
  'base/extras.yaml': extras(),
  'base/statefulset.yaml': statefulSet,
  'base/ingress.yaml': ingress,
  'base/cronjob.yaml': cronJob,
  'base/app.properties': 'color=blue\nsize=10\n',
  'base/app.env': 'LOG_LEVEL=debug\nMODE=prod\n',
  'base/settings.json': '{"a": 1, "b": [true, "yes"]}\n',
};

export const baseKustomization = (more = '') => `resources:
- deployment.yaml
- service.yaml
- extras.yaml
- statefulset.yaml
- ingress.yaml
- cronjob.yaml
configMapGenerator:
- name: web-config
  literals:
  - KEY=value
  files:
  - app.properties
secretGenerator:
- name: web-secret
  literals:
  - password=s3cret
${more}`;
