/**
 * Runs workflows in-process with n8n-core's own WorkflowExecute, the engine n8n runs every
 * workflow with: parameter and expression evaluation, credentials, the HTTP helpers, error
 * outputs and paired items are n8n's, not stand-ins. Only the trigger is a small test node.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// n8n-core writes its instance config under the user folder when first loaded.
process.env.N8N_USER_FOLDER ??= mkdtempSync(path.join(tmpdir(), 'n8n-moengage-test-'));

import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { ExecuteContext, ExecutionLifecycleHooks, RoutingNode, WorkflowExecute } from 'n8n-core';
import {
	createDeferredPromise,
	migrateRunExecutionData,
	ICredentialsHelper,
	NodeConnectionTypes,
	NodeHelpers,
	Workflow,
	type IAuthenticateGeneric,
	type IBinaryKeyData,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IConnections,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
	type INodeTypeDescription,
	type IRun,
	type IWorkflowExecuteAdditionalData,
	type IWorkflowBase,
} from 'n8n-workflow';

import { MoEngageApi } from '../credentials/MoEngageApi.credentials';
import { MoEngageCampaignReportApi } from '../credentials/MoEngageCampaignReportApi.credentials';
import { MoEngageInformApi } from '../credentials/MoEngageInformApi.credentials';
import { MoEngage } from '../nodes/MoEngage/MoEngage.node';

/** Emits the rows given in its `rows` parameter, like a spreadsheet or Code node would. */
class Rows implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Rows',
		name: 'rows',
		group: ['input'],
		version: 1,
		description: 'Test source of rows',
		defaults: { name: 'Rows' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Rows', name: 'rows', type: 'json', default: '[]' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const rows = this.getNodeParameter('rows', 0) as unknown;
		const list = (typeof rows === 'string' ? JSON.parse(rows) : rows) as IDataObject[];
		// A row's `$binary` ({field: {base64, mimeType, fileName}}) becomes the item's binary data, as a Read File node gives it.
		return [
			list.map(({ $binary, ...json }) => ({
				json,
				pairedItem: { item: 0 },
				...($binary ? { binary: binaryOf($binary as Record<string, BinaryFile>) } : {}),
			})),
		];
	}
}

interface BinaryFile {
	base64: string;
	mimeType: string;
	fileName: string;
}

/** Binary data as n8n keeps it in memory (its default mode): base64 in `data`. */
const binaryOf = (files: Record<string, BinaryFile>): IBinaryKeyData =>
	Object.fromEntries(
		Object.entries(files).map(([field, file]) => [
			field,
			{ data: file.base64, mimeType: file.mimeType, fileName: file.fileName },
		]),
	);

/** Passes its input on unchanged: stands for the CRM or sheet node a user connects to an output. */
class Collect implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Collect',
		name: 'collect',
		group: ['output'],
		version: 1,
		description: 'Test sink',
		defaults: { name: 'Collect' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Source Row', name: 'sourceRow', type: 'string', default: '' }],
	};

	/** Adds `sourceRow`: what n8n's $('Rows').item resolves to, through the MoEngage node's pairedItem. */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [
			this.getInputData().map((item, index) => ({
				json: { ...item.json, sourceRow: this.getNodeParameter('sourceRow', index) as string },
				pairedItem: { item: index },
			})),
		];
	}
}

const nodeTypeList: Record<string, INodeType> = {
	'n8n-nodes-moengage.moEngage': new MoEngage(),
	'test.rows': new Rows(),
	'test.collect': new Collect(),
};

const nodeTypes: INodeTypes = {
	getByName: (type) => nodeTypeList[type],
	getByNameAndVersion: (type, version) =>
		NodeHelpers.getVersionedNodeType(nodeTypeList[type], version),
	getKnownTypes: () => ({}),
};

/** Every credential type of the MoEngage node, by name. */
const credentialTypes: Record<string, ICredentialType> = Object.fromEntries(
	[new MoEngageApi(), new MoEngageInformApi(), new MoEngageCampaignReportApi()].map((type) => [
		type.name,
		type,
	]),
);

/** Applies the credential's generic `authenticate` block the way n8n's CredentialsHelper does. */
class CredentialsHelper extends ICredentialsHelper {
	constructor(private readonly credentials: ICredentialDataDecryptedObject) {
		super();
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const resolve = (value: string) =>
			workflow.expression.getSimpleParameterValue(
				node,
				value,
				'internal',
				{ $credentials: credentials },
				undefined,
				'',
			);
		const options = requestOptions as unknown as Record<string, Record<string, unknown>>;
		const { authenticate } = credentialTypes[typeName] as { authenticate: IAuthenticateGeneric };
		for (const [outerKey, inner] of Object.entries(authenticate.properties)) {
			options[outerKey] ??= {};
			for (const [key, value] of Object.entries(inner as Record<string, string>)) {
				options[outerKey][key] = resolve(value);
			}
		}
		return requestOptions;
	}

	async getDecrypted(): Promise<ICredentialDataDecryptedObject> {
		return this.credentials;
	}

	getParentTypes = () => [];
	preAuthentication = async () => undefined;
	getCredentials = async () => {
		throw new Error('not used by the node');
	};
	updateCredentials = async () => {};
	updateCredentialsOauthTokenData = async () => {};
	getCredentialsProperties = (typeName: string) => credentialTypes[typeName].properties;
}

/** Every line n8n's logger received during the runs, for tests that check what reaches the log. */
export const logLines: string[] = [];
const record =
	(level: string) =>
	(message: string, meta?: object): void => {
		logLines.push(`${level} ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}`);
	};
const capturingLogger = {
	error: record('error'),
	warn: record('warn'),
	info: record('info'),
	debug: record('debug'),
	scoped: () => capturingLogger,
};
Container.set(Logger, capturingLogger as unknown as Logger);

/** The MoEngage node's parameters; Get Users' unless `resource` / `operation` say otherwise. */
export interface MoEngageParameters extends IDataObject {
	resource?: string;
	operation?: string;
	identifierType?: string;
	identifier?: string;
	fields?: string | string[];
	options?: IDataObject;
}

export interface RunOptions {
	rows: IDataObject[];
	parameters?: MoEngageParameters;
	credentials: ICredentialDataDecryptedObject;
	/** The credential type `credentials` are of. Default the Data API's, moEngageApi. */
	credentialType?: string;
	onError?: INode['onError'];
	/** Lets a test cancel the execution, as a user pressing Stop does. */
	onStarted?: (cancel: () => void) => void;
	/** false: no nodes after MoEngage (benchmarks measure the node alone). Default true. */
	downstream?: boolean;
}

export interface RunResult {
	run: IRun;
	/**
	 * The MoEngage node's outputs, in the order its operation has them — Get: [Found, Not Found];
	 * Delete: [Deleted, Not Found]; Create or Update, Merge and Track: [Accepted] — followed by the
	 * error output when `onError` is 'continueErrorOutput'.
	 */
	outputs: INodeExecutionData[][];
	/**
	 * What the node after each output received (empty unless `downstream` was left on): `outputs`
	 * by position, the same positions as the MoEngage node's own `outputs` without the error
	 * output; `errors`, what the node after the error output received ([] without one).
	 */
	downstream: { outputs: INodeExecutionData[][]; errors: INodeExecutionData[] };
	error: Error | undefined;
	/** How long n8n measured the MoEngage node running, in ms. */
	nodeMs: number;
}

function additionalDataFor(
	credentials: ICredentialDataDecryptedObject,
	hooks: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
	return {
		hooks,
		credentialsHelper: new CredentialsHelper(credentials),
		executionId: '1',
		restApiUrl: '',
		instanceBaseUrl: '',
		webhookBaseUrl: '',
		webhookWaitingBaseUrl: '',
		webhookTestBaseUrl: '',
		formWaitingBaseUrl: '',
		variables: {},
		currentNodeParameters: undefined,
		executeWorkflow: async () => {
			throw new Error('not used');
		},
		logAiEvent: () => {},
		getRunExecutionData: async () => undefined,
	} as unknown as IWorkflowExecuteAdditionalData;
}

/** Most outputs an operation has (Get's and Delete's two) plus the error output. */
const MAX_OUTPUTS = 3;
const downstreamName = (output: number) => `After output ${output + 1}`;

/**
 * Runs the MoEngage node, Get Users unless `parameters` name another operation, on `rows` inside
 * n8n's engine, with a node after each of its outputs (unless `downstream` is false).
 */
export async function runMoEngage({
	rows,
	parameters = {},
	credentials,
	credentialType = 'moEngageApi',
	onError,
	onStarted,
	downstream = true,
}: RunOptions): Promise<RunResult> {
	const moengage: INode = {
		id: 'moengage',
		name: 'MoEngage',
		type: 'n8n-nodes-moengage.moEngage',
		typeVersion: 1,
		position: [200, 0],
		parameters: {
			resource: 'user',
			operation: 'get',
			identifierType: 'customer_id',
			identifier: '={{ $json.customer_id }}',
			...parameters,
		} as INode['parameters'],
		credentials: { [credentialType]: { id: '1', name: 'MoEngage account' } },
		...(onError ? { onError } : {}),
	};
	const nodes: INode[] = [
		{
			id: 'rows',
			name: 'Rows',
			type: 'test.rows',
			typeVersion: 1,
			position: [0, 0],
			parameters: { rows: JSON.stringify(rows) },
		},
		moengage,
		// One after every output the operation may have; n8n sends nothing to one it does not have.
		...Array.from({ length: downstream ? MAX_OUTPUTS : 0 }, (_, output) => ({
			id: downstreamName(output),
			name: downstreamName(output),
			type: 'test.collect',
			typeVersion: 1,
			position: [400, output * 200 - 100] as [number, number],
			parameters: { sourceRow: '={{ JSON.stringify($("Rows").item.json) }}' },
		})),
	];
	const connections: IConnections = {
		Rows: { main: [[{ node: 'MoEngage', type: NodeConnectionTypes.Main, index: 0 }]] },
	};
	if (downstream) {
		connections.MoEngage = {
			main: Array.from({ length: MAX_OUTPUTS }, (_, output) => [
				{ node: downstreamName(output), type: NodeConnectionTypes.Main, index: 0 },
			]),
		};
	}
	const workflow = new Workflow({ id: 'test', nodes, connections, nodeTypes, active: false });

	const hooks = new ExecutionLifecycleHooks('manual', '1', {
		id: 'test',
		nodes,
		connections,
	} as unknown as IWorkflowBase);
	const finished = createDeferredPromise<IRun>();
	hooks.addHandler('workflowExecuteAfter', (run) => finished.resolve(run));

	const additionalData = additionalDataFor(credentials, hooks);

	const runExecutionData = migrateRunExecutionData({
		version: 1,
		startData: {},
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			metadata: {},
			waitingExecution: {},
			waitingExecutionSource: null,
			nodeExecutionStack: [{ node: nodes[0], data: { main: [[{ json: {} }]] }, source: null }],
		},
	});
	const execution = new WorkflowExecute(
		additionalData,
		'manual',
		runExecutionData,
	).processRunExecutionData(workflow);
	onStarted?.(() => execution.cancel());
	const run = await execution.catch(() => finished.promise);
	const { runData } = run.data.resultData;
	const outputsOf = (name: string) => runData[name]?.[0]?.data?.main ?? [];
	const received = (output: number) => outputsOf(downstreamName(output))[0] ?? [];
	// The operation's outputs as n8n counts them: the error output, when there is one, is the last.
	const outputCount = NodeHelpers.getNodeOutputs(
		workflow,
		moengage,
		nodeTypeList[moengage.type].description,
	).length;
	const regularOutputs = onError === 'continueErrorOutput' ? outputCount - 1 : outputCount;
	return {
		run,
		outputs: outputsOf('MoEngage') as INodeExecutionData[][],
		downstream: {
			outputs: downstream
				? Array.from({ length: regularOutputs }, (_, output) => received(output))
				: [],
			errors: downstream && onError === 'continueErrorOutput' ? received(regularOutputs) : [],
		},
		error: run.data.resultData.error as Error | undefined,
		nodeMs: runData.MoEngage?.[0]?.executionTime ?? 0,
	};
}

/** lodash's get, as the credential tester uses it: a dotted path into the answer. */
const get = (value: unknown, path: string): unknown =>
	path
		.split('.')
		.reduce<unknown>(
			(at, key) => (at !== null && typeof at === 'object' ? (at as IDataObject)[key] : undefined),
			value,
		);

/**
 * The "Test" button: the declarative branch of n8n's CredentialsTester (packages/cli), which fills
 * the credential's defaults as its CredentialsHelper.applyDefaultsAndOverwrites does, runs the
 * credential's `test` request through n8n-core's RoutingNode and reads its `rules`.
 */
export async function testCredential(
	typed: ICredentialDataDecryptedObject,
	typeName = 'moEngageApi',
): Promise<{ status: 'OK' | 'Error'; message: string }> {
	const credentialType = credentialTypes[typeName];
	const testRequest = credentialType.test!;
	const data = NodeHelpers.getNodeParameters(
		credentialType.properties,
		typed as INodeParameters,
		true,
		false,
		null,
		null,
	) as ICredentialDataDecryptedObject;
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: 'test.credentialTest',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [typeName]: { id: '1', name: 'MoEngage account' } },
	};
	const nodeType: INodeType = {
		description: {
			displayName: 'Temp',
			name: 'test.credentialTest',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: {},
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: typeName, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					routing: { request: testRequest.request },
					default: '',
				},
			],
		},
	};
	const types: INodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({}),
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: types,
	});
	const hooks = new ExecutionLifecycleHooks('internal', '1', {
		id: 'test',
		nodes: [node],
		connections: {},
	} as unknown as IWorkflowBase);
	const context = new ExecuteContext(
		workflow,
		node,
		additionalDataFor(data, hooks),
		'internal',
		migrateRunExecutionData({ version: 1, resultData: { runData: {} } }),
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	let response: INodeExecutionData[][] | undefined;
	try {
		response = await new RoutingNode(context, nodeType, {
			id: '1',
			name: 'MoEngage account',
			type: typeName,
			data,
		}).runNode();
	} catch (error) {
		const response = (error as { cause?: { response?: { status: number; statusText: string } } })
			.cause?.response;
		if (response) {
			const rule = testRequest.rules?.find(
				(candidate) =>
					candidate.type === 'responseCode' && candidate.properties.value === response.status,
			);
			if (rule) return { status: 'Error', message: rule.properties.message };
			return {
				status: 'Error',
				message: response.statusText || `Received HTTP status code: ${response.status}`,
			};
		}
		return { status: 'Error', message: String((error as Error).message) };
	}
	for (const rule of testRequest.rules ?? []) {
		if (
			rule.type === 'responseSuccessBody' &&
			get(response?.[0]?.[0]?.json, rule.properties.key) === rule.properties.value
		) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}
