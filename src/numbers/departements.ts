/**
 * Département → ARCEP geographic zone (01 Île-de-France, 02 Nord-Ouest, 03 Nord-Est,
 * 04 Sud-Est, 05 Sud-Ouest), for a dialer's per-call `zone` hint given as a département.
 */
const ZONES: Readonly<Record<string, readonly string[]>> = {
  '1': ['75', '77', '78', '91', '92', '93', '94', '95'],
  '2': ['14', '18', '22', '27', '28', '29', '35', '36', '37', '41', '44', '45', '49', '50', '53', '56',
    '61', '72', '76', '85'],
  '3': ['02', '08', '10', '21', '25', '39', '51', '52', '54', '55', '57', '58', '59', '60', '62', '67',
    '68', '70', '71', '80', '88', '89', '90'],
  '4': ['01', '03', '04', '05', '06', '07', '11', '13', '15', '26', '2A', '2B', '30', '34', '38', '42',
    '43', '48', '63', '66', '69', '73', '74', '83', '84'],
  '5': ['09', '12', '16', '17', '19', '23', '24', '31', '32', '33', '40', '46', '47', '64', '65', '79',
    '81', '82', '86', '87'],
};

const ZONE_OF = new Map<string, string>(
  Object.entries(ZONES).flatMap(([zone, deps]) => deps.map((d) => [d, zone] as const)),
);

export function zoneOfDepartement(dep: string): string | undefined {
  return ZONE_OF.get(dep.toUpperCase());
}
