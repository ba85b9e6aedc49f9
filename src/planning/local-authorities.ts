import type { REGIONS } from '../providers/rules.js';

/**
 * The local authorities in England with responsibility for children's services: the 153 upper-tier
 * authorities (counties, unitary authorities, metropolitan districts, London boroughs, the City of
 * London and the Isles of Scilly) as they stand after the reorganisations of April 2023.
 *
 * Each carries the broad class of the Rural-Urban Classification for local authorities (Defra and ONS,
 * "2011 Rural-Urban Classification of Local Authority Districts and other higher level geographies for
 * statistical purposes", revised 2014, with later lookups for new authorities). The classification has
 * six classes, which Defra groups into three; the sample is stratified by the three:
 *   - predominantly urban: urban with major conurbation, urban with minor conurbation, urban with city
 *     and town;
 *   - urban with significant rural: 26–49% of the population in rural areas or hub towns;
 *   - predominantly rural: largely rural (50–79%) and mainly rural (80% or more).
 *
 * The list was written for this service from that published classification. Some classes are
 * ESTIMATES, the likeliest class from the authority's districts and towns rather than a looked-up
 * figure: the counties (Cambridgeshire, Derbyshire, East Sussex, Essex, Gloucestershire, Hampshire,
 * Hertfordshire, Kent, Lancashire, Leicestershire, Nottinghamshire, Oxfordshire, Staffordshire, Surrey,
 * Warwickshire, West Sussex, Worcestershire), the authorities formed since 2019 (Buckinghamshire,
 * Bournemouth, Christchurch and Poole, Cumberland, Dorset, North Northamptonshire, North Yorkshire,
 * Somerset, West Northamptonshire, Westmorland and Furness), and Barnsley, Bath and North East Somerset,
 * Calderdale, Central Bedfordshire, County Durham, Darlington, Doncaster, North Lincolnshire, North
 * Somerset, Redcar and Cleveland, Rotherham, South Gloucestershire, Telford and Wrekin, Windsor and
 * Maidenhead and Wokingham. Correct any of them here: a sample already drawn keeps the class it was
 * drawn under, because the record holds each authority's class as drawn.
 */

export const RURAL_URBAN_CLASSES = {
  'predominantly-urban': 'Predominantly urban',
  'urban-with-significant-rural': 'Urban with significant rural',
  'predominantly-rural': 'Predominantly rural',
} as const;

export type RuralUrbanClass = keyof typeof RURAL_URBAN_CLASSES;

/** The classes in the order they are drawn and shown. */
export const RURAL_URBAN_ORDER = Object.keys(RURAL_URBAN_CLASSES) as RuralUrbanClass[];

export type Region = (typeof REGIONS)[number];

export interface LocalAuthority {
  name: string;
  region: Region;
  ruralUrban: RuralUrbanClass;
}

const U: RuralUrbanClass = 'predominantly-urban';
const S: RuralUrbanClass = 'urban-with-significant-rural';
const R: RuralUrbanClass = 'predominantly-rural';

const byRegion: Record<Region, [string, RuralUrbanClass][]> = {
  'North East': [
    ['County Durham', R],
    ['Darlington', U],
    ['Gateshead', U],
    ['Hartlepool', U],
    ['Middlesbrough', U],
    ['Newcastle upon Tyne', U],
    ['North Tyneside', U],
    ['Northumberland', R],
    ['Redcar and Cleveland', U],
    ['South Tyneside', U],
    ['Stockton-on-Tees', U],
    ['Sunderland', U],
  ],
  'North West': [
    ['Blackburn with Darwen', U],
    ['Blackpool', U],
    ['Bolton', U],
    ['Bury', U],
    ['Cheshire East', S],
    ['Cheshire West and Chester', S],
    ['Cumberland', R],
    ['Halton', U],
    ['Knowsley', U],
    ['Lancashire', S],
    ['Liverpool', U],
    ['Manchester', U],
    ['Oldham', U],
    ['Rochdale', U],
    ['Salford', U],
    ['Sefton', U],
    ['St Helens', U],
    ['Stockport', U],
    ['Tameside', U],
    ['Trafford', U],
    ['Warrington', U],
    ['Westmorland and Furness', R],
    ['Wigan', U],
    ['Wirral', U],
  ],
  'Yorkshire and The Humber': [
    ['Barnsley', S],
    ['Bradford', U],
    ['Calderdale', U],
    ['Doncaster', S],
    ['East Riding of Yorkshire', R],
    ['Kingston upon Hull', U],
    ['Kirklees', U],
    ['Leeds', U],
    ['North East Lincolnshire', U],
    ['North Lincolnshire', S],
    ['North Yorkshire', R],
    ['Rotherham', U],
    ['Sheffield', U],
    ['Wakefield', U],
    ['York', U],
  ],
  'East Midlands': [
    ['Derby', U],
    ['Derbyshire', S],
    ['Leicester', U],
    ['Leicestershire', S],
    ['Lincolnshire', R],
    ['North Northamptonshire', S],
    ['Nottingham', U],
    ['Nottinghamshire', S],
    ['Rutland', R],
    ['West Northamptonshire', S],
  ],
  'West Midlands': [
    ['Birmingham', U],
    ['Coventry', U],
    ['Dudley', U],
    ['Herefordshire', R],
    ['Sandwell', U],
    ['Shropshire', R],
    ['Solihull', U],
    ['Staffordshire', S],
    ['Stoke-on-Trent', U],
    ['Telford and Wrekin', U],
    ['Walsall', U],
    ['Warwickshire', S],
    ['Wolverhampton', U],
    ['Worcestershire', S],
  ],
  'East of England': [
    ['Bedford', S],
    ['Cambridgeshire', R],
    ['Central Bedfordshire', S],
    ['Essex', S],
    ['Hertfordshire', U],
    ['Luton', U],
    ['Norfolk', R],
    ['Peterborough', U],
    ['Southend-on-Sea', U],
    ['Suffolk', R],
    ['Thurrock', U],
  ],
  London: [
    ['Barking and Dagenham', U],
    ['Barnet', U],
    ['Bexley', U],
    ['Brent', U],
    ['Bromley', U],
    ['Camden', U],
    ['City of London', U],
    ['Croydon', U],
    ['Ealing', U],
    ['Enfield', U],
    ['Greenwich', U],
    ['Hackney', U],
    ['Hammersmith and Fulham', U],
    ['Haringey', U],
    ['Harrow', U],
    ['Havering', U],
    ['Hillingdon', U],
    ['Hounslow', U],
    ['Islington', U],
    ['Kensington and Chelsea', U],
    ['Kingston upon Thames', U],
    ['Lambeth', U],
    ['Lewisham', U],
    ['Merton', U],
    ['Newham', U],
    ['Redbridge', U],
    ['Richmond upon Thames', U],
    ['Southwark', U],
    ['Sutton', U],
    ['Tower Hamlets', U],
    ['Waltham Forest', U],
    ['Wandsworth', U],
    ['Westminster', U],
  ],
  'South East': [
    ['Bracknell Forest', U],
    ['Brighton and Hove', U],
    ['Buckinghamshire', S],
    ['East Sussex', S],
    ['Hampshire', S],
    ['Isle of Wight', R],
    ['Kent', S],
    ['Medway', U],
    ['Milton Keynes', U],
    ['Oxfordshire', R],
    ['Portsmouth', U],
    ['Reading', U],
    ['Slough', U],
    ['Southampton', U],
    ['Surrey', U],
    ['West Berkshire', R],
    ['West Sussex', S],
    ['Windsor and Maidenhead', U],
    ['Wokingham', U],
  ],
  'South West': [
    ['Bath and North East Somerset', S],
    ['Bournemouth, Christchurch and Poole', U],
    ['Bristol', U],
    ['Cornwall', R],
    ['Devon', R],
    ['Dorset', R],
    ['Gloucestershire', S],
    ['Isles of Scilly', R],
    ['North Somerset', S],
    ['Plymouth', U],
    ['Somerset', R],
    ['South Gloucestershire', U],
    ['Swindon', U],
    ['Torbay', U],
    ['Wiltshire', R],
  ],
};

/** Every authority, in name order. */
export const LOCAL_AUTHORITIES: readonly LocalAuthority[] = Object.entries(byRegion)
  .flatMap(([region, authorities]) =>
    authorities.map(([name, ruralUrban]) => ({ name, region: region as Region, ruralUrban })),
  )
  .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
