export {
  NavixyPanelClient,
  findTransactionByReference,
  validateNavixyAmount,
  validateNavixyText,
  buildChangeBalanceBody,
  formatNavixyDate,
  decimalSign,
  NAVIXY_AMOUNT_RE,
  type NavixyUser,
  type NavixyDealerInfo,
  type NavixyTransaction,
  type NavixyPanelClientOptions,
  type NavixyLog,
} from "./client";
export {
  NavixyApiError,
  NavixyTransportError,
  NAVIXY_ERROR_CODES,
  navixyErrorKind,
  navixyErrorMaybeApplied,
  isNavixyError,
  isNavixyApiError,
  isNavixyTransportError,
  type NavixyErrorKind,
  type NavixyParamError,
  type NavixyTransportPhase,
} from "./errors";
export { maskName } from "./masking";
