#!/usr/bin/env node
// Referee for gatehouse's Go IAM policy evaluator.
//
// Purpose: the Go tests describe authorization requests (principal, action,
// resource, resource account, request context, identity policies, optional
// resource policy) and pipe them here in ONE batch; this script asks the
// independent simulator @cloud-copilot/iam-simulate for its decision on each,
// so the Go tests can cross-check their own evaluator against it.
// It runs fully offline: the simulator reads its IAM data (actions, resource
// types, condition keys) from files in node_modules, and global fetch is
// disabled below so any attempt at network access fails loudly.
//
// Licence: @cloud-copilot/iam-simulate (and its iam-policy / iam-utils
// dependencies) are AGPL-3.0-or-later. They are a devDependency used only by
// this test script. Gatehouse never imports, bundles or ships them; nothing
// under this directory is part of the library or of any deployed artefact.
//
// Known quirk: iam-simulate only knows the `cognito-identity.amazonaws.com:*`
// context keys for the STS role-assumption actions (sts:AssumeRoleWithWebIdentity,
// also sts:AssumeRole); for any other action (s3:*, ...) it drops them. So
// callers must pass policies in which `${cognito-identity.amazonaws.com:sub}`
// is already substituted with the identity id. This script does nothing about
// that; the Go side does the substitution. (Because dropped keys can silently
// change a decision, this script reports any dropped key as an Error; see below.)
// Also, its data types `cognito-identity.amazonaws.com:amr` as single-valued,
// so pass amr as ONE value (e.g. ["authenticated"]): more values give an Error.
//
// I/O contract (see README.md):
//   stdin : {"cases": [{"id", "principal", "action", "resource", "resourceAccount",
//            "context": {key: [string, ...]}, "identityPolicies": [policy, ...],
//            "resourcePolicy": policy | null (or absent),
//            "permissionBoundaryPolicies": [policy, ...] (optional: the caller's boundary)}]}
//   stdout: {"results": [{"id", "decision": "Allow"|"ImplicitDeny"|"ExplicitDeny"|"Error",
//            "detail": string}]}  -- one per case, same order.
//   exit 0 when every case got a result (Error results included); exit 2 with a
//   one-line message on stderr when the input cannot be read or parsed.
// "Error" (never a guessed decision) when: the simulator rejects the input
// (invalid policy, unknown action, resource type mismatch, ...), a context key is
// not applicable to the action/resource and would be dropped, a single-valued key
// gets other than exactly one value, the resource contains '*' (the simulator
// would treat it as a pattern), a resource-policy statement has neither Principal
// nor NotPrincipal (AWS rejects such a policy; the simulator silently skips it),
// the case is malformed, or the simulator throws. Evaluation uses the simulator's
// "Strict" mode (no SCPs/RCPs or session policies; the caller's permissions boundary when given).

import './collator-cache.mjs' // first: the simulator's string comparisons, made cheap
import {
  getDenialReasons,
  getGrantReasons,
  isConditionKeyArray,
  runSimulation,
  typeForContextKey
} from '@cloud-copilot/iam-simulate'

globalThis.fetch = () => {
  throw new Error('network access is disabled in the referee')
}

const DECISIONS = {
  Allowed: 'Allow',
  ImplicitlyDenied: 'ImplicitDeny',
  ExplicitlyDenied: 'ExplicitDeny'
}

class CaseError extends Error {}

function fail(message) {
  process.stderr.write(`simulate.mjs: ${message.replace(/\s+/g, ' ')}\n`)
  process.exit(2)
}

async function readStdin() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)

function requireString(c, field) {
  if (typeof c[field] !== 'string' || c[field] === '') {
    throw new CaseError(`case field "${field}" must be a non-empty string`)
  }
  return c[field]
}

// Converts the contract's {key: [values]} into what the simulator wants:
// a string for single-valued keys, an array for multi-valued (ArrayOf*) keys.
async function contextVariables(context) {
  if (context === undefined || context === null) return {}
  if (!isObject(context)) throw new CaseError('"context" must be an object of string arrays')
  const out = {}
  for (const [key, values] of Object.entries(context)) {
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) {
      throw new CaseError(`context key ${key}: value must be an array of strings`)
    }
    let type
    try {
      type = await typeForContextKey(key)
    } catch {
      type = undefined // unknown key: leave as-is, the simulator will drop it and we report that
    }
    if (type === undefined || isConditionKeyArray(type)) {
      out[key] = values
    } else if (values.length === 1) {
      out[key] = values[0]
    } else {
      throw new CaseError(
        `context key ${key} is single-valued (${type}) for iam-simulate but got ${values.length} values ${JSON.stringify(values)}`
      )
    }
  }
  return out
}

function statementLabel(s) {
  const sid = s.statement.sid()
  return `${s.policyId ?? 'resource'}#${s.statement.index()}${sid ? `(${sid})` : ''}`
}

// Why a statement whose action matched did not apply.
function missReasons(s) {
  const why = []
  if (!s.resourceMatch) {
    const reasons = [s.explain.resources ?? [], s.explain.notResources ?? []]
      .flat()
      .map((r) => r.mismatchReason)
      .filter((r) => r && r !== 'resourcePatternMismatch' && r !== 'resourceIdMismatch')
    why.push(reasons.length ? `resource(${[...new Set(reasons)].join(',')})` : 'resource')
  }
  if (s.principalMatch === 'NoMatch') why.push('principal')
  if (s.conditionMatch === 'NoMatch' || s.conditionMatch === false) {
    const failed = (s.explain.conditions ?? [])
      .filter((c) => !c.matches)
      .map((c) => `${c.operator} ${c.conditionKeyValue}${c.failedBecauseMissing ? ' (key missing)' : ''}${c.failedBecauseArray ? ' (array for single-valued key)' : ''}`)
    why.push(`condition[${failed.join(', ') || '?'}]`)
  }
  return why.join('+') || 'no match'
}

function describeAnalysis(name, a) {
  if (!a) return `${name}=none`
  const parts = [`${name}=${a.result}`]
  if (a.allowStatements?.length) {
    parts.push(`allow[${a.allowStatements.map((s) => `${statementLabel(s)}:${s.principalMatch}`).join(' ')}]`)
  }
  if (a.denyStatements?.length) parts.push(`deny[${a.denyStatements.map(statementLabel).join(' ')}]`)
  const near = (a.unmatchedStatements ?? []).filter((s) => s.actionMatch)
  if (near.length) parts.push(`missed[${near.map((s) => `${statementLabel(s)}:${missReasons(s)}`).join(' ')}]`)
  return parts.join(' ')
}

function grantOrDenialSummary(analysis) {
  if (analysis.result === 'Allowed') {
    const g = getGrantReasons(analysis).map(
      (r) => `${r.policyType}${r.policyIdentifier ? ` ${r.policyIdentifier}` : ''} #${r.statementIndex}${r.statementId ? `(${r.statementId})` : ''}`
    )
    return `allowed by ${g.join(', ') || '?'}`
  }
  const d = getDenialReasons(analysis).map((r) =>
    r.denialType === 'Explicit'
      ? `explicit deny in ${r.policyType}${r.policyIdentifier ? ` ${r.policyIdentifier}` : ''} #${r.statementIndex}${r.statementId ? `(${r.statementId})` : ''}`
      : `no allow in ${r.policyType}${r.identifier ? ` ${r.identifier}` : ''}`
  )
  if (d.length === 0 && !analysis.sameAccount) {
    return 'cross-account: needs an allow in the identity policy and in the resource policy'
  }
  return d.join(', ') || 'denied'
}

function errorDetail(errors) {
  const parts = [errors.message]
  const fmt = (list) => list.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message ?? JSON.stringify(e))).join('; ')
  for (const [field, value] of Object.entries(errors)) {
    if (field === 'message' || value === undefined) continue
    if (Array.isArray(value)) parts.push(`${field}: ${fmt(value)}`)
    else if (isObject(value)) {
      for (const [name, list] of Object.entries(value)) parts.push(`${field} ${name}: ${fmt(list)}`)
    }
  }
  return parts.join(' | ')
}

async function evaluate(c) {
  if (!isObject(c)) throw new CaseError('case must be an object')
  const principal = requireString(c, 'principal')
  const action = requireString(c, 'action')
  const resource = requireString(c, 'resource')
  const accountId = requireString(c, 'resourceAccount')
  if (resource.includes('*')) {
    throw new CaseError(`resource ${resource} contains '*', which iam-simulate treats as a wildcard pattern, not a literal`)
  }
  const identityDocs = c.identityPolicies ?? []
  if (!Array.isArray(identityDocs) || !identityDocs.every(isObject)) {
    throw new CaseError('"identityPolicies" must be an array of policy objects')
  }
  if (c.resourcePolicy !== undefined && c.resourcePolicy !== null && !isObject(c.resourcePolicy)) {
    throw new CaseError('"resourcePolicy" must be a policy object, null or absent')
  }
  const boundaryDocs = c.permissionBoundaryPolicies ?? []
  if (!Array.isArray(boundaryDocs) || !boundaryDocs.every(isObject)) {
    throw new CaseError('"permissionBoundaryPolicies" must be an array of policy objects or absent')
  }

  const simulation = {
    request: {
      principal,
      action,
      resource: { resource, accountId },
      contextVariables: await contextVariables(c.context)
    },
    identityPolicies: identityDocs.map((policy, i) => ({ name: `identity[${i}]`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(c.resourcePolicy ? { resourcePolicy: c.resourcePolicy } : {}),
    ...(boundaryDocs.length > 0 ? { permissionBoundaryPolicies: boundaryDocs.map((policy, i) => ({ name: `boundary[${i}]`, policy })) } : {})
  }

  const response = await runSimulation(simulation, { simulationMode: 'Strict' })
  if (response.resultType === 'error') {
    return { decision: 'Error', detail: `iam-simulate rejected the case: ${errorDetail(response.errors)}` }
  }
  if (response.resultType !== 'single') {
    return { decision: 'Error', detail: `unexpected iam-simulate result type ${response.resultType}` }
  }
  const { analysis, ignoredContextKeys = [], resourceType } = response.result
  if (ignoredContextKeys.length > 0) {
    return {
      decision: 'Error',
      detail: `iam-simulate would drop context keys not applicable to ${action} on ${resourceType ?? 'this resource'}: ${ignoredContextKeys.join(', ')} (it would have said ${response.overallResult})`
    }
  }
  const noPrincipal = (analysis.resourceAnalysis?.unmatchedStatements ?? []).filter((s) => s.explain.noPrincipalElement)
  if (c.resourcePolicy && noPrincipal.length > 0) {
    return {
      decision: 'Error',
      detail: `resource policy statement(s) ${noPrincipal.map(statementLabel).join(' ')} have neither Principal nor NotPrincipal (AWS rejects such a resource policy; iam-simulate would just skip them)`
    }
  }
  const decision = DECISIONS[response.overallResult]
  if (!decision) {
    return { decision: 'Error', detail: `unknown iam-simulate result ${response.overallResult}` }
  }
  const detail = [
    `${response.overallResult}: ${grantOrDenialSummary(analysis)}`,
    describeAnalysis('identity', analysis.identityAnalysis),
    c.resourcePolicy ? describeAnalysis('resource', analysis.resourceAnalysis) : 'resource=none',
    `sameAccount=${analysis.sameAccount}`,
    ...(analysis.blockedBy?.length ? [`blockedBy=${analysis.blockedBy.join(',')}`] : []),
    ...(resourceType ? [`resourceType=${resourceType}`] : [])
  ].join('; ')
  return { decision, detail }
}

const raw = await readStdin().catch((e) => fail(`cannot read stdin: ${e.message}`))
let input
try {
  input = JSON.parse(raw)
} catch (e) {
  fail(`stdin is not valid JSON: ${e.message}`)
}
if (!isObject(input) || !Array.isArray(input.cases)) {
  fail('stdin must be a JSON object with a "cases" array')
}

const results = []
for (const c of input.cases) {
  const id = isObject(c) && typeof c.id === 'string' ? c.id : null
  let outcome
  try {
    outcome = await evaluate(c)
  } catch (e) {
    outcome = {
      decision: 'Error',
      detail: e instanceof CaseError ? e.message : `iam-simulate threw: ${e?.message ?? String(e)}`
    }
  }
  results.push({ id, ...outcome })
}
process.stdout.write(JSON.stringify({ results }) + '\n')
