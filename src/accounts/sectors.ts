/**
 * Sectors of member organisations: central government, and the sectors of the
 * NIS2 directive (EU 2022/2555), Annex I (high criticality) and Annex II (other
 * critical sectors). Codes are stable; labels are shown in both languages.
 */
export const SECTORS = {
  'central-government': { en: 'Central government', nl: 'Rijksoverheid' },
  energy: { en: 'Energy', nl: 'Energie' },
  transport: { en: 'Transport', nl: 'Vervoer' },
  banking: { en: 'Banking', nl: 'Bankwezen' },
  'financial-market-infrastructure': { en: 'Financial market infrastructure', nl: 'Infrastructuur voor de financiële markt' },
  health: { en: 'Health', nl: 'Gezondheidszorg' },
  'drinking-water': { en: 'Drinking water', nl: 'Drinkwater' },
  'waste-water': { en: 'Waste water', nl: 'Afvalwater' },
  'digital-infrastructure': { en: 'Digital infrastructure', nl: 'Digitale infrastructuur' },
  'ict-service-management': { en: 'ICT service management (B2B)', nl: 'Beheer van ICT-diensten (B2B)' },
  'public-administration': { en: 'Public administration', nl: 'Overheid' },
  space: { en: 'Space', nl: 'Ruimtevaart' },
  'postal-courier': { en: 'Postal and courier services', nl: 'Post- en koeriersdiensten' },
  'waste-management': { en: 'Waste management', nl: 'Afvalbeheer' },
  chemicals: { en: 'Chemicals', nl: 'Chemische stoffen' },
  food: { en: 'Food', nl: 'Levensmiddelen' },
  manufacturing: { en: 'Manufacturing', nl: 'Vervaardiging' },
  'digital-providers': { en: 'Digital providers', nl: 'Digitale aanbieders' },
  research: { en: 'Research', nl: 'Onderzoek' },
} as const;

export type Sector = keyof typeof SECTORS;
export const SECTOR_CODES = Object.keys(SECTORS) as Sector[];

export function isSector(value: string): value is Sector {
  return Object.hasOwn(SECTORS, value);
}
