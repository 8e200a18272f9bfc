import {
  PROVISIONING_STEPS,
  type ProvisioningStep,
  type ProvisioningStepView,
} from '../../shared/contract/index.js'

/** A provisioning step's status as DPS reports it (interop §3.5, protojson names). */
export interface WireStatus {
  date?: string | number
  coapCode?: number | string
  errorMessage?: string
}

/** DPS's ProvisioningRecord, trimmed to what the watch reads. */
export interface WireProvisioningRecord {
  id?: string
  deviceId?: string
  enrollmentGroupId?: string
  owner?: string
  ownership?: { status?: WireStatus; owner?: string }
  credential?: { status?: WireStatus }
  acl?: { status?: WireStatus }
  cloud?: { status?: WireStatus; providerName?: string }
  plgdTime?: WireStatus
}

function statusOf(record: WireProvisioningRecord, step: ProvisioningStep): WireStatus | undefined {
  switch (step) {
    case 'ownership':
      return record.ownership?.status
    case 'credentials':
      return record.credential?.status
    case 'acl':
      return record.acl?.status
    case 'cloud':
      return record.cloud?.status
    case 'plgdTime':
      return record.plgdTime
  }
}

/**
 * CoAP codes arrive as go-coap numbers (class << 5 | detail: 2.04 Changed is 68) and, from
 * some tools, as HTTP-like 2xx: both read as success.
 */
function codeClass(code: number): number {
  // CoAP codes stop at 5.31 (191): anything from 200 is an HTTP-style code.
  if (code >= 200) return Math.floor(code / 100)
  return code >> 5
}

export function stepView(
  step: ProvisioningStep,
  status: WireStatus | undefined,
): ProvisioningStepView {
  const raw = status?.coapCode
  const code = raw === undefined || raw === '' ? null : Number(raw)
  const coapCode = code === null || Number.isNaN(code) || code === 0 ? null : code
  const message = status?.errorMessage ? status.errorMessage : null
  let state: ProvisioningStepView['state'] = 'pending'
  if (message !== null || (coapCode !== null && codeClass(coapCode) >= 4)) state = 'failed'
  else if (
    coapCode !== null ? codeClass(coapCode) === 2 : Boolean(status?.date && status.date !== '0')
  )
    state = 'done'
  return { step, state, coapCode, message }
}

/** Every step of a device, pending while DPS has no record of it. */
export function provisioningSteps(
  record: WireProvisioningRecord | undefined,
): ProvisioningStepView[] {
  return PROVISIONING_STEPS.map((step) =>
    stepView(step, record ? statusOf(record, step) : undefined),
  )
}
